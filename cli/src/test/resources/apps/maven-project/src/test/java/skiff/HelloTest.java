package skiff;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

public class HelloTest {
    @Test
    public void greets() {
        assertEquals("built on a bind mount, Skiff", Hello.greeting("Skiff"));
    }
}
