package dev.skiff.erofs.tar;

import dev.skiff.erofs.LayerException;
import dev.skiff.erofs.Names;

/** PAX time values: decimal seconds with an optional fraction, possibly negative ({@code -1.5} is 1.5 s before). */
final class PaxTime {
    private PaxTime() {}

    /** Returns {seconds, nanoseconds} with 0 &lt;= nanoseconds &lt; 10^9. */
    static long[] parse(String s, String entry) throws LayerException {
        String t = s.strip();
        try {
            boolean negative = t.startsWith("-");
            String body = negative ? t.substring(1) : t;
            int dot = body.indexOf('.');
            String whole = dot < 0 ? body : body.substring(0, dot);
            String frac = dot < 0 ? "" : body.substring(dot + 1);
            if (whole.isEmpty() || !whole.chars().allMatch(Character::isDigit)
                    || !frac.chars().allMatch(Character::isDigit)) {
                throw new NumberFormatException();
            }
            long sec = Long.parseLong(whole);
            String nine = (frac + "000000000").substring(0, 9);
            long nsec = Long.parseLong(nine);
            if (negative) {
                sec = -sec;
                if (nsec != 0) {
                    sec -= 1;
                    nsec = 1_000_000_000L - nsec;
                }
            }
            return new long[] {sec, nsec};
        } catch (NumberFormatException e) {
            throw new LayerException(Names.display(entry), "invalid PAX mtime '" + Names.display(s) + "'");
        }
    }
}
