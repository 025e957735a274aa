/* guest-relay DEV MOUNTOPTS TARGET: the shared bench's vrelay (same arguments, same job: relay a
   virtio-serial port to a socketpair and mount 9P with trans=fd on it), timing each request as the
   guest sees it. relay-profile.sh copies it into the guest as /bin/vrelay.

   Per T-message type it sums
     rtt     request written to the port -> its reply read whole from the port: everything on the
             host side (virtio-serial, QEMU's chardev, socat, the host relay, the server);
     client  the previous reply handed to the kernel's 9P client -> this request read whole from
             it, counted only when nothing else was in flight: the guest client and the program.
             Pauses over 100 ms are idle time (between runs, or while the other share is in
             use), not a request's, and are left out.
   On SIGUSR1 it prints one line, "SPLIT TARGET type:count:rtt_us_mean:client_us_mean ...", to
   stdout, then creates /tmp/split.done.PID so that a script can wait for it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_FRAME (1u << 21)
#define IDLE_US 100000.0

struct sum { long n, clients; double rtt, client; };
struct stream { unsigned char b[MAX_FRAME]; size_t n; };

static struct sum sums[256];
static double sent_at[65536], client_us[65536];
static unsigned char sent_type[65536];
static int in_flight;
static double last_reply = -1;
static struct stream requests, replies;
static volatile sig_atomic_t report_wanted;
static const char *target;

static double now_us(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e6 + t.tv_nsec / 1e3; }

static int write_all(int fd, const unsigned char *b, size_t n) {
  for (size_t o = 0; o < n;) { ssize_t w = write(fd, b + o, n - o); if (w <= 0) return -1; o += w; }
  return 0;
}

/* Reads what is there, forwards each whole frame, and times it. Returns -1 at end or on a bad frame. */
static int pump(int from, int to, struct stream *s, int is_reply) {
  ssize_t r = read(from, s->b + s->n, sizeof s->b - s->n);
  if (r <= 0) return -1;
  s->n += r;
  double t = now_us();
  size_t o = 0;
  while (s->n - o >= 7) {
    unsigned size = s->b[o] | s->b[o + 1] << 8 | s->b[o + 2] << 16 | (unsigned)s->b[o + 3] << 24;
    if (size < 7 || size > MAX_FRAME) { fprintf(stderr, "guest-relay: frame of %u bytes; ending\n", size); return -1; }
    if (s->n - o < size) break;
    unsigned tag = s->b[o + 5] | s->b[o + 6] << 8;
    if (write_all(to, s->b + o, size)) return -1;
    if (!is_reply) {
      sent_type[tag] = s->b[o + 4];
      sent_at[tag] = now_us();
      client_us[tag] = (in_flight == 0 && last_reply >= 0 && t - last_reply < IDLE_US) ? t - last_reply : -1;
      in_flight++;
    } else {
      struct sum *u = &sums[sent_type[tag]];
      u->n++;
      u->rtt += t - sent_at[tag];
      if (client_us[tag] >= 0) { u->client += client_us[tag]; u->clients++; }
      if (in_flight > 0) in_flight--;
      last_reply = now_us();
    }
    o += size;
  }
  memmove(s->b, s->b + o, s->n - o);
  s->n -= o;
  return 0;
}

static void report(void) {
  static char line[16384];
  int k = snprintf(line, sizeof line, "SPLIT %s", target);
  for (int t = 0; t < 256 && k < (int)sizeof line - 64; t++)
    if (sums[t].n) k += snprintf(line + k, sizeof line - k, " %d:%ld:%.0f:%.0f", t, sums[t].n, sums[t].rtt / sums[t].n, sums[t].clients ? sums[t].client / sums[t].clients : 0.0);
  k += snprintf(line + k, sizeof line - k, "\n");
  write_all(1, (unsigned char *)line, k);
  char done[64];
  snprintf(done, sizeof done, "/tmp/split.done.%d", (int)getpid());
  close(open(done, O_CREAT | O_WRONLY, 0644));
}

static void on_usr1(int sig) { (void)sig; report_wanted = 1; }

int main(int argc, char **argv) {
  if (argc != 4) { fprintf(stderr, "usage: guest-relay DEV MOUNTOPTS TARGET\n"); return 2; }
  int dev = open(argv[1], O_RDWR);
  if (dev < 0) { perror("open"); return 1; }
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) { perror("socketpair"); return 1; }
  if (fork() == 0) {
    close(sv[0]);
    target = argv[3];
    struct sigaction sa = { .sa_handler = on_usr1 };   /* no SA_RESTART: poll returns EINTR */
    sigaction(SIGUSR1, &sa, NULL);
    struct pollfd p[2] = { { dev, POLLIN, 0 }, { sv[1], POLLIN, 0 } };
    for (;;) {
      if (report_wanted) { report_wanted = 0; report(); }
      if (poll(p, 2, -1) < 0) continue;
      if ((p[0].revents & POLLIN) && pump(dev, sv[1], &replies, 1)) break;
      if ((p[1].revents & (POLLIN | POLLHUP)) && pump(sv[1], dev, &requests, 0)) break;
    }
    _exit(0);
  }
  close(sv[1]);
  char opts[1024];
  snprintf(opts, sizeof opts, "trans=fd,rfdno=%d,wfdno=%d,%s", sv[0], sv[0], argv[2]);
  if (mount("none", argv[3], "9p", 0, opts)) { perror("mount"); return 1; }
  return 0;
}
