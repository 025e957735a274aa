package dev.skiff.p9.server;

import java.io.IOException;
import dev.skiff.p9.wire.P9;
import dev.skiff.p9.wire.Qid;
import dev.skiff.p9.wire.Rmessage.Rauth;
import dev.skiff.p9.wire.Tmessage.Tattach;
import dev.skiff.p9.wire.Tmessage.Tauth;
import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Per-share secret authentication through the afid (attach(5), diod's auth protocol in
 * outline): Tauth creates an afid with a QTAUTH qid; the client writes the share's secret to
 * it with Twrite; Tattach naming that afid succeeds only if what was written equals the secret
 * (compared in constant time). Reads on an afid return no data.
 *
 * <p>When an export requires no secret, Tauth is answered as diod 1.0.24 answers it with
 * authentication off (measured: Rlerror ENOENT), and Tattach with afid NOFID goes ahead. (QEMU's
 * server, which has no Tauth handler, answers EOPNOTSUPP; the Linux client never sends Tauth.)
 */
final class Auth {
    private Auth() {}

    /** The errno of Tauth on an export that needs no authentication (see the class comment). */
    static final int NOT_REQUIRED = Errno.ENOENT;
    /** The longest secret a client may write to an afid. */
    static final int MAX_SECRET = 4096;
    private static final AtomicLong SERIAL = new AtomicLong();

    /** What has been written to one afid. */
    static final class State {
        private final ByteArrayOutputStream written = new ByteArrayOutputStream();
        final String aname;

        State(String aname) {
            this.aname = aname;
        }

        synchronized int write(byte[] data) throws IOException {
            if (written.size() + data.length > MAX_SECRET) {
                throw new ErrnoException("write", "afid", Errno.EINVAL);
            }
            written.writeBytes(data);
            return data.length;
        }

        synchronized boolean matches(byte[] secret) {
            return MessageDigest.isEqual(written.toByteArray(), secret);
        }
    }

    static Rauth auth(Session s, Tauth m) throws IOException {
        Export e = s.export();
        if (e.secret() == null) {
            throw new ErrnoException("auth", "export " + e.path() + " (no authentication required)", NOT_REQUIRED);
        }
        if (!e.matches(m.aname())) {
            throw new ErrnoException("auth", "aname " + m.aname(), Errno.ENOENT);
        }
        s.addFid(Fid.auth(m.afid(), uid(m.nUname()), new State(m.aname())));
        return new Rauth(new Qid(P9.QTAUTH, 0, SERIAL.incrementAndGet()));
    }

    /** Checks Tattach's afid against the export's secret; EACCES when it does not prove it. */
    static void check(Session s, Request r, Tattach m) throws IOException {
        byte[] secret = s.export().secret();
        if (secret == null) {
            return;
        }
        if (m.afid() == P9.NOFID) {
            throw new ErrnoException("attach", "export " + s.export().path() + " (authentication required)", Errno.EACCES);
        }
        Fid a = s.fid(r, m.afid());
        State st = a.auth();
        if (a.kind() != Fid.Kind.AUTH || st == null || !st.matches(secret)) {
            throw new ErrnoException("attach", "export " + s.export().path() + " (authentication failed)", Errno.EACCES);
        }
    }

    static int uid(int nUname) {
        return nUname == P9.NONUNAME ? -1 : nUname;
    }
}
