package dev.skiff.guest.selftest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class SelftestClientTest {
    private static SelftestClient replying(String replies, ByteArrayOutputStream sent) {
        return new SelftestClient(new ByteArrayInputStream(replies.getBytes()), sent);
    }

    @Test
    void sendsOneLineAndReturnsTheResult() throws IOException {
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        assertEquals("abc 1.5", replying("OK abc 1.5\n", sent).call("PING"));
        assertEquals("PING\n", sent.toString());
        assertEquals("", replying("OK\n", new ByteArrayOutputStream()).call("ECHO", "p"));
    }

    @Test
    void guestErrorsBecomeExceptionsWithTheGuestsMessage() {
        IOException e = assertThrows(IOException.class,
                () -> replying("ERR no such disk\n", new ByteArrayOutputStream()).call("MOUNT", "a", "b", "c"));
        assertEquals("guest failed MOUNT: no such disk", e.getMessage());
    }

    @Test
    void garbageAndSilenceAreErrorsNotHangs() {
        assertThrows(EOFException.class, () -> replying("", new ByteArrayOutputStream()).call("PING"));
        IOException e = assertThrows(IOException.class, () -> replying("WHAT\n", new ByteArrayOutputStream()).call("PING"));
        assertTrue(e.getMessage().contains("malformed reply"), e.getMessage());
        String huge = "OK " + "x".repeat(SelftestProtocol.MAX_LINE) + "\n";
        IOException tooLong = assertThrows(IOException.class, () -> replying(huge, new ByteArrayOutputStream()).call("PING"));
        assertTrue(tooLong.getMessage().contains("longer than"), tooLong.getMessage());
    }
}
