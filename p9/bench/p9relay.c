/* p9relay LOG CMD [ARGS...]: runs CMD, a 9P server on its stdin/stdout (over a socket pair, as
   socat's EXEC does), relays this process's stdin/stdout to it, and logs every request as it
   passes. Put in front of two servers in turn, it times them at the same point of the same
   transport, so the difference between their lines is the servers' own, not the guest's.

   LOG lines, in order:
     gap US                      time outside the server: from the last reply leaving here to
                                 the next request arriving whole (guest client, guest relay,
                                 virtio-serial, QEMU, socat)
     TYPE TSIZE RSIZE US         one request: its T-message type, the request and reply sizes,
                                 and the time from handing it to the server to its reply
                                 arriving whole (the server's read, work and write, plus one
                                 socket-pair hop each way)

   Frames must be at most 2 MiB; anything else ends the relay with a message. */
#define _GNU_SOURCE
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_FRAME (2u << 20)

struct side { unsigned char buf[MAX_FRAME]; size_t n; };
static struct side up, down;            /* up: client to server; down: server to client */
static double sent_at[65536];
static unsigned char sent_type[65536];
static unsigned sent_size[65536];
static double last_reply;
static FILE *logf;

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static void write_all(int fd, const unsigned char *p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w <= 0) exit(0);              /* the other side is gone */
    p += w; n -= w;
  }
}

/* Forwards every whole frame in s to fd and logs it; keeps a partial frame for later. */
static void forward(struct side *s, int fd, int to_server) {
  size_t off = 0;
  while (s->n - off >= 7) {
    const unsigned char *f = s->buf + off;
    unsigned size = f[0] | f[1] << 8 | f[2] << 16 | (unsigned)f[3] << 24;
    if (size < 7 || size > MAX_FRAME) {
      fprintf(stderr, "p9relay: frame of %u bytes; ending\n", size);
      exit(1);
    }
    if (s->n - off < size) break;
    int tag = f[5] | f[6] << 8;
    double t = now_us();
    if (to_server) {
      if (last_reply > 0) fprintf(logf, "gap %.1f\n", t - last_reply);
      sent_type[tag] = f[4]; sent_size[tag] = size;
      write_all(fd, f, size);
      sent_at[tag] = now_us();
    } else {
      fprintf(logf, "%d %u %u %.1f\n", sent_type[tag], sent_size[tag], size, t - sent_at[tag]);
      write_all(fd, f, size);
      last_reply = now_us();
    }
    off += size;
  }
  memmove(s->buf, s->buf + off, s->n - off);
  s->n -= off;
}

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: p9relay LOG CMD [ARGS...]\n"); return 2; }
  logf = fopen(argv[1], "w");
  if (!logf) { perror(argv[1]); return 1; }
  setvbuf(logf, NULL, _IOFBF, 1 << 20);
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) { perror("socketpair"); return 1; }
  signal(SIGPIPE, SIG_IGN);
  pid_t child = fork();
  if (child == 0) {
    dup2(sv[1], 0); dup2(sv[1], 1); close(sv[0]); close(sv[1]);
    execvp(argv[2], argv + 2);
    perror(argv[2]); _exit(127);
  }
  close(sv[1]);
  struct pollfd p[2] = {{0, POLLIN, 0}, {sv[0], POLLIN, 0}};
  for (;;) {
    if (poll(p, 2, -1) < 0) continue;
    if (p[0].revents & (POLLIN | POLLHUP)) {
      ssize_t r = read(0, up.buf + up.n, sizeof up.buf - up.n);
      if (r <= 0) break;
      up.n += r; forward(&up, sv[0], 1);
    }
    if (p[1].revents & (POLLIN | POLLHUP)) {
      ssize_t r = read(sv[0], down.buf + down.n, sizeof down.buf - down.n);
      if (r <= 0) break;
      down.n += r; forward(&down, 1, 0);
    }
  }
  fclose(logf);
  shutdown(sv[0], SHUT_WR);           /* the server sees the end of its input and exits */
  int st;
  waitpid(child, &st, 0);
  return 0;
}
