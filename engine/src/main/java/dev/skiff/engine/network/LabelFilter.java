package dev.skiff.engine.network;

import java.util.List;
import java.util.Map;

/** Docker's {@code label} filter: every "KEY" must be present, every "KEY=VALUE" must match. */
public final class LabelFilter {
    private LabelFilter() {}

    public static boolean matches(Map<String, String> labels, List<String> filters) {
        for (String f : filters) {
            int eq = f.indexOf('=');
            if (eq < 0 ? !labels.containsKey(f) : !f.substring(eq + 1).equals(labels.get(f.substring(0, eq)))) {
                return false;
            }
        }
        return true;
    }
}
