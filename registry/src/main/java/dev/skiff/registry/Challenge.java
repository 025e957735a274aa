package dev.skiff.registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One {@code WWW-Authenticate} challenge (RFC 7235): {@code Bearer realm="...",service="...",scope="..."} or
 * {@code Basic realm="..."}. A header may hold several challenges, and a response several headers; parameter
 * values are tokens or quoted strings with backslash escapes (distribution's {@code registry/client/auth/
 * challenge/authchallenge.go} parses the same grammar).
 *
 * @param scheme lower case: "bearer", "basic"
 * @param params parameter names in lower case
 */
record Challenge(String scheme, Map<String, String> params) {
    Challenge {
        params = Map.copyOf(params);
    }

    boolean bearer() {
        return scheme.equals("bearer");
    }

    boolean basic() {
        return scheme.equals("basic");
    }

    String param(String name) {
        return params.get(name);
    }

    /** Every challenge in these header values, in order; malformed parts end the header they are in. */
    static List<Challenge> parse(List<String> headers) {
        List<Challenge> out = new ArrayList<>();
        for (String h : headers) {
            new Parser(h).all(out);
        }
        return out;
    }

    /** The challenge to answer: Bearer when offered (it can carry scopes), else Basic, else none. */
    static Challenge preferred(List<Challenge> challenges) {
        Challenge basic = null;
        for (Challenge c : challenges) {
            if (c.bearer()) {
                return c;
            }
            if (c.basic() && basic == null) {
                basic = c;
            }
        }
        return basic;
    }

    /** A small recursive-descent reader over one header value. */
    private static final class Parser {
        private final String s;
        private int i;

        Parser(String s) {
            this.s = s == null ? "" : s;
        }

        void all(List<Challenge> out) {
            skipSeparators();
            String scheme = token();
            while (!scheme.isEmpty()) {
                Map<String, String> params = new LinkedHashMap<>();
                String next = params(params);
                out.add(new Challenge(scheme.toLowerCase(Locale.ROOT), params));
                scheme = next;
            }
        }

        /**
         * Reads name=value pairs; returns the scheme of the next challenge when a token is followed by
         * something other than '=', or "" at the end.
         */
        private String params(Map<String, String> into) {
            while (true) {
                skipSeparators();
                String name = token();
                if (name.isEmpty()) {
                    return "";
                }
                skipSpaces();
                if (i >= s.length() || s.charAt(i) != '=') {
                    return name; // a new challenge's scheme
                }
                i++;
                skipSpaces();
                String value = i < s.length() && s.charAt(i) == '"' ? quoted() : bare();
                if (value == null) {
                    return "";
                }
                into.putIfAbsent(name.toLowerCase(Locale.ROOT), value);
            }
        }

        private String token() {
            int start = i;
            while (i < s.length() && tokenChar(s.charAt(i))) {
                i++;
            }
            return s.substring(start, i);
        }

        /** An unquoted value: strictly a token, but some servers send URLs bare, so read up to ',' or space. */
        private String bare() {
            int start = i;
            while (i < s.length() && ",; \t".indexOf(s.charAt(i)) < 0) {
                i++;
            }
            return s.substring(start, i);
        }

        /** A quoted string, unescaped; null when it never closes. */
        private String quoted() {
            StringBuilder b = new StringBuilder();
            for (i++; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '\\' && i + 1 < s.length()) {
                    b.append(s.charAt(++i));
                } else if (c == '"') {
                    i++;
                    return b.toString();
                } else {
                    b.append(c);
                }
            }
            return null;
        }

        private void skipSpaces() {
            while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
                i++;
            }
        }

        private void skipSeparators() {
            while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == ',')) {
                i++;
            }
        }

        /** RFC 7230 tchar: what a scheme or a parameter name is made of. */
        private static boolean tokenChar(char c) {
            return c < 127 && c > 32 && "\"(),:;<=>?@[\\]{}".indexOf(c) < 0;
        }
    }
}
