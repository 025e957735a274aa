package dev.skiff.vhost;

import static dev.skiff.vhost.Descriptor.F_WRITE;
import static dev.skiff.vhost.GuestRam.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.skiff.sys.EventFds;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Completing requests: from any thread, once, within the writable bytes, never into a newer ring. */
class VringTest {
    private GuestRam guest;
    private GuestMemory memory;
    private Vring vring;
    private int call;

    @BeforeEach
    void setUp() throws Exception {
        guest = new GuestRam();
        memory = guest.mapForBackend();
        vring = new Vring(0, r -> {}, true);
        vring.setNum(QUEUE_SIZE);
        vring.setAddr(memory, guest.addr(0), 0);
        call = EventFds.create(true);
        vring.setCall(call); // the vring owns it now
    }

    @AfterEach
    void tearDown() {
        vring.close();
        memory.close();
        guest.close();
    }

    private Request request(int head, int writable) throws GuestMemoryException {
        guest.desc(head, GPA + BUFFERS, writable, F_WRITE, 0);
        return new Request(vring, vring.generation(), new DescriptorChain(head, java.util.List.of(),
                java.util.List.of(memory.fromGuest(GPA + BUFFERS, writable))));
    }

    @Test
    void aCompletionFromAnotherThreadIsUsedAndCalled() throws Exception {
        Request r = request(3, 16);
        CompletableFuture.runAsync(() -> r.complete(10)).get(10, TimeUnit.SECONDS);
        assertEquals(1, guest.usedIdx());
        assertArrayEquals(new long[] {3, 10}, guest.used(0));
        assertEquals(1, EventFds.consume(call));
    }

    @Test
    void aRequestCompletesOnceAndWithinItsWritableBytes() throws Exception {
        Request r = request(1, 16);
        assertThrows(IllegalArgumentException.class, () -> r.complete(17));
        assertThrows(IllegalArgumentException.class, () -> r.complete(-1));
        r.complete(16);
        assertThrows(IllegalStateException.class, () -> r.complete(0));
        assertEquals(1, guest.usedIdx());
    }

    @Test
    void aCompletionOfARequestFromBeforeTheRingWasReopenedIsDropped() throws Exception {
        Request stale = request(2, 8);
        vring.setAddr(memory, guest.addr(0), 0); // the front-end set the ring up again
        stale.complete(8);
        assertEquals(0, guest.usedIdx(), "not written into the new ring");
        assertEquals(0, EventFds.consume(call), "and not called");
        Request fresh = request(2, 8);
        fresh.complete(8);
        assertEquals(1, guest.usedIdx());
    }

    @Test
    void afterCloseTheCallFdIsClosed() {
        vring.close();
        assertFalse(java.nio.file.Files.exists(java.nio.file.Path.of("/proc/self/fd/" + call)) && isSameEventfd(),
                "closed with the vring");
    }

    /** Guards against the number having been reused by another descriptor of this JVM meanwhile. */
    private boolean isSameEventfd() {
        try {
            return java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/" + call))
                    .toString().contains("eventfd");
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
