package dev.skiff.ttrpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.ttrpc.frame.OversizedFrameException;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class StatusMapperTest {
    private static Code code(Throwable t) {
        return StatusMapper.toStatus(t).code();
    }

    @Test
    void mapsExceptionsToGrpcCodes() {
        assertEquals(Code.NOT_FOUND, code(new NoSuchFileException("/x")));
        assertEquals(Code.ALREADY_EXISTS, code(new FileAlreadyExistsException("/x")));
        assertEquals(Code.PERMISSION_DENIED, code(new AccessDeniedException("/x")));
        assertEquals(Code.INVALID_ARGUMENT, code(new IllegalArgumentException("bad")));
        assertEquals(Code.FAILED_PRECONDITION, code(new IllegalStateException("not now")));
        assertEquals(Code.UNIMPLEMENTED, code(new UnsupportedOperationException()));
        assertEquals(Code.CANCELLED, code(new InterruptedException()));
        assertEquals(Code.DEADLINE_EXCEEDED, code(new TimeoutException()));
        assertEquals(Code.RESOURCE_EXHAUSTED, code(new OversizedFrameException(1, 5 << 20)));
        assertEquals(Code.OUT_OF_RANGE, code(new EOFException()));
        assertEquals(Code.UNKNOWN, code(new IOException("disk on fire")));
    }

    @Test
    void keepsTheStatusOfATtrpcException() {
        Status s = Status.of(Code.ABORTED, "conflict");
        assertEquals(s, StatusMapper.toStatus(new TtrpcException(s)));
    }

    @Test
    void keepsTheMessageOrNamesTheClass() {
        assertEquals("disk on fire", StatusMapper.toStatus(new IOException("disk on fire")).message());
        assertEquals("java.lang.UnsupportedOperationException",
                StatusMapper.toStatus(new UnsupportedOperationException()).message());
    }

    @Test
    void codesHaveGrpcNumbers() {
        assertEquals(0, Code.OK.value());
        assertEquals(4, Code.DEADLINE_EXCEEDED.value());
        assertEquals(8, Code.RESOURCE_EXHAUSTED.value());
        assertEquals(12, Code.UNIMPLEMENTED.value());
        assertEquals(16, Code.UNAUTHENTICATED.value());
        assertEquals(Code.UNKNOWN, Code.of(99));
    }
}
