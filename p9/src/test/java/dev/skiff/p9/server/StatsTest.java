package dev.skiff.p9.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.p9.wire.P9;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void printsCountAndPercentilesPerTypeAndTheIdleTime() {
        Stats s = new Stats();
        for (int i = 1; i <= 100; i++) {
            s.request(P9.TGETATTR, i * 1000L);
        }
        s.request(P9.TWALK, 5_000_000L);
        s.idle(2_000_000L);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        s.print(new PrintStream(b, true, StandardCharsets.UTF_8));
        String out = b.toString(StandardCharsets.UTF_8);
        assertTrue(out.matches("(?s).*Tgetattr\\s+100\\s+50\\.5\\s+50\\s+99\\s+100\\s.*"), out);
        assertTrue(out.matches("(?s).*Twalk\\s+1\\s+5000\\.0\\s+5000\\s+5000\\s+5000\\s.*"), out);
        assertTrue(out.matches("(?s).*idle\\s+1\\s+2000\\.0\\s.*"), out);
        assertTrue(out.contains("# 101 requests"), out);
    }
}
