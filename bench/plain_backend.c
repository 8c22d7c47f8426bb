/*
 * plain_backend: the plaintext service behind stunnel in bench/run.sh. One thread, epoll, non-blocking
 * sockets on 127.0.0.1: every line received is answered with REPLY and a newline, on the same connection,
 * until the peer closes. As cheap as a backend can be, so stunnel's row shows stunnel's cost.
 *
 *   plain_backend PORT REPLY
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: plain_backend PORT REPLY\n"); return 2; }
  char reply[1024];
  int rlen = snprintf(reply, sizeof reply, "%s\n", argv[2]);
  int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[1]))};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 4096) < 0) { perror("plain_backend"); return 1; }
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = ls}, evs[256];
  epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
  char buf[16384];
  for (;;) {
    int n = epoll_wait(ep, evs, 256, -1);
    for (int i = 0; i < n; i++) {
      int fd = evs[i].data.fd;
      if (fd == ls) {
        int c;
        while ((c = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
          struct epoll_event ce = {.events = EPOLLIN, .data.fd = c};
          epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce);
        }
        continue;
      }
      ssize_t r = read(fd, buf, sizeof buf);
      if (r < 0 && errno == EAGAIN) continue;
      if (r <= 0) { close(fd); continue; } /* closing also removes it from the epoll set */
      /* One reply per newline. A reply is a few bytes into an empty socket buffer (the peer reads each
         reply before it sends the next request), so a short write means a broken peer: drop it. */
      for (ssize_t j = 0; j < r; j++) {
        if (buf[j] == '\n' && write(fd, reply, (size_t)rlen) != rlen) { close(fd); break; }
      }
    }
  }
}
