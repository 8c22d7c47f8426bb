/*
 * tlsload: a native mutual-TLS 1.3 load generator for bench/run.sh (OpenSSL, one thread per worker,
 * blocking sockets with timeouts). Each worker connects, does a full or resumed handshake presenting a
 * client certificate and verifying the server's certificate and name (IP SAN or DNS), sends K request
 * lines and checks each reply, and closes; or holds N idle connections and re-checks them.
 *
 *   tlsload --port P --ca ca.crt --cert client.crt --key client.key [options]
 *     --host H        address to connect to (default 127.0.0.1); also the name verified, unless --name
 *     --name N        the name the server's certificate must carry (an IP address or a DNS name)
 *     -c N            concurrent workers (default 1)
 *     -n N            connections in all (default 100), or -d SECONDS: as many as fit in that time
 *     -k K            requests per connection (default 1); 0 = handshake only
 *     --resume        each worker resumes with the newest session ticket it received (first one is full)
 *     --request LINE  the request (default GET_SECRET);  --expect TEXT  the reply it must get
 *     --idle N --hold S   open N connections (handshake + one request each), hold them S seconds, then
 *                         send one more request on every one of them and check the reply
 *     --timeout S     per socket operation (default 10)
 *     --sources N     worker i connects from 127.0.0.(2 + i mod N), so a balancer's "balance source" spreads
 *                     the workers and keeps each on one server (loopback only)
 *     --spread N      connection k connects from 127.0.0.(2 + k mod N), the port picked at connect
 *                     (IP_BIND_ADDRESS_NO_PORT): past the ~28,000 ephemeral ports one source address has
 *                     towards one server address and port (loopback only)
 *     --drop-tls      with --idle: once a connection has its reply, free its OpenSSL state (SSL_free
 *                     without close_notify) and keep only the socket open, so the load generator's own
 *                     memory is not what limits the count; nothing is re-checked after the hold (count the
 *                     held connections on the server's side), the sockets are closed at the end
 *
 * Prints one line of key=value pairs (read by bench/harness.py) and nothing else on stdout (with --idle,
 * first a line held=N once the connections are open and before they are held); the first
 * few errors go to stderr. Latency is per connection (connect to last reply) when K <= 1, per request
 * when K > 1 (the handshake then is not part of any request's figure). cpu_ms_per_conn is this process's
 * own user+system CPU per connection, so a reader can see what the client side costs next to the server.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static struct {
  const char *host, *name, *ca, *cert, *key, *request, *expect;
  int port, concurrency, requests, resume, idle, hold, timeout, sources, spread, drop_tls;
  long total;
  double duration;
} opt = {"127.0.0.1", NULL, NULL, NULL, NULL, "GET_SECRET", NULL, 0, 1, 1, 0, 0, 0, 10, 0, 0, 0, 100, 0};

static SSL_CTX *ctx;
static atomic_long started, connections, requests_done, errors, resumed, dialled;
static double deadline;

typedef struct {
  double *v;
  size_t n, cap;
} samples;

typedef struct {
  int id;
  SSL_SESSION *session; /* newest ticket this worker received (--resume) */
  samples lat;
  SSL **held; /* --idle */
  int *held_fd; /* --idle --drop-tls: the sockets alone */
  size_t nheld;
} worker;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static void add(samples *s, double x) {
  if (s->n == s->cap) {
    s->cap = s->cap ? 2 * s->cap : 1024;
    s->v = realloc(s->v, s->cap * sizeof *s->v);
    if (!s->v) abort();
  }
  s->v[s->n++] = x;
}

static void fail(const char *what) {
  long n = atomic_fetch_add(&errors, 1);
  if (n < 5) {
    char buf[256];
    unsigned long e = ERR_get_error();
    if (e) ERR_error_string_n(e, buf, sizeof buf);
    else snprintf(buf, sizeof buf, "%s", errno ? strerror(errno) : "-");
    fprintf(stderr, "tlsload: %s: %s\n", what, buf);
  }
  ERR_clear_error();
}

/* The session callback: TLS 1.3 tickets arrive after the handshake, while the worker reads a reply. */
static int on_new_session(SSL *ssl, SSL_SESSION *s) {
  worker *w = SSL_get_app_data(ssl);
  if (!opt.resume || !w) return 0;
  if (w->session) SSL_SESSION_free(w->session);
  w->session = s;
  return 1; /* we keep the reference */
}

static SSL *dial(worker *w) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) { fail("socket"); return NULL; }
  struct timeval tv = {opt.timeout, 0};
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (opt.sources || opt.spread) {
    struct sockaddr_in from = {.sin_family = AF_INET};
    uint32_t k = opt.spread ? (uint32_t)(atomic_fetch_add(&dialled, 1) % opt.spread) : (uint32_t)(w->id % opt.sources);
    from.sin_addr.s_addr = htonl(0x7f000002u + k);
    /* the port is chosen at connect, unique per 4-tuple: bind alone would pick one unique per address */
    if (opt.spread) setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&from, sizeof from) < 0) { fail("bind"); close(fd); return NULL; }
  }
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(opt.port)};
  inet_pton(AF_INET, opt.host, &a.sin_addr);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) { fail("connect"); close(fd); return NULL; }
  SSL *ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  SSL_set_app_data(ssl, w);
  X509_VERIFY_PARAM *p = SSL_get0_param(ssl);
  if (!X509_VERIFY_PARAM_set1_ip_asc(p, opt.name)) SSL_set1_host(ssl, opt.name); /* IP SAN, else DNS */
  if (opt.resume && w->session) SSL_set_session(ssl, w->session);
  if (SSL_connect(ssl) != 1) {
    fail("handshake");
    SSL_free(ssl);
    close(fd);
    return NULL;
  }
  if (SSL_session_reused(ssl)) atomic_fetch_add(&resumed, 1);
  return ssl;
}

static void hang_up(SSL *ssl) {
  int fd = SSL_get_fd(ssl);
  SSL_shutdown(ssl); /* sends close_notify; we do not wait for the server's */
  SSL_free(ssl);
  close(fd);
}

/* One request line, one reply line; 1 if the reply is the expected one. */
static int ask(SSL *ssl) {
  char line[512], reply[4096];
  int len = snprintf(line, sizeof line, "%s\n", opt.request);
  if (SSL_write(ssl, line, len) != len) { fail("write"); return 0; }
  size_t got = 0;
  while (got == 0 || reply[got - 1] != '\n') {
    if (got == sizeof reply) { fail("reply too long"); return 0; }
    int r = SSL_read(ssl, reply + got, (int)(sizeof reply - got));
    if (r <= 0) { fail("read"); return 0; }
    got += (size_t)r;
  }
  reply[got - 1] = 0;
  if (got > 1 && reply[got - 2] == '\r') reply[got - 2] = 0;
  if (opt.expect && strcmp(reply, opt.expect) != 0) {
    if (atomic_fetch_add(&errors, 1) < 5) fprintf(stderr, "tlsload: unexpected reply: %s\n", reply);
    return 0;
  }
  atomic_fetch_add(&requests_done, 1);
  return 1;
}

/* Claims the next connection of the run; 0 when the count or the time is used up. */
static int another(void) {
  if (opt.duration > 0) return now() < deadline;
  return atomic_fetch_add(&started, 1) < opt.total;
}

static void *run_load(void *arg) {
  worker *w = arg;
  if (opt.resume) { /* prime this worker's ticket, untimed and uncounted */
    SSL *ssl = dial(w);
    if (ssl) { if (opt.requests > 0) ask(ssl); hang_up(ssl); }
  }
  while (another()) {
    double t0 = now();
    SSL *ssl = dial(w);
    if (!ssl) continue;
    int ok = 1;
    for (int i = 0; i < opt.requests && ok; i++) {
      double r0 = now();
      ok = ask(ssl);
      if (ok && opt.requests > 1) add(&w->lat, now() - r0);
    }
    hang_up(ssl);
    if (ok) {
      atomic_fetch_add(&connections, 1);
      if (opt.requests <= 1) add(&w->lat, now() - t0);
    }
  }
  return NULL;
}

static void *open_idle(void *arg) {
  worker *w = arg;
  while (atomic_fetch_add(&started, 1) < opt.idle) {
    double t0 = now();
    SSL *ssl = dial(w);
    if (!ssl) continue;
    if (!ask(ssl)) { hang_up(ssl); continue; }
    add(&w->lat, now() - t0);
    if (opt.drop_tls) { /* the socket stays open; OpenSSL's state goes (no close_notify: SSL_free sends nothing) */
      w->held_fd[w->nheld++] = SSL_get_fd(ssl);
      SSL_free(ssl);
    } else {
      w->held[w->nheld++] = ssl;
    }
    atomic_fetch_add(&connections, 1);
  }
  return NULL;
}

static void *recheck_idle(void *arg) {
  worker *w = arg;
  if (opt.drop_tls) {
    for (size_t i = 0; i < w->nheld; i++) close(w->held_fd[i]);
    return NULL;
  }
  for (size_t i = 0; i < w->nheld; i++) {
    ask(w->held[i]);
    hang_up(w->held[i]);
  }
  return NULL;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double cpu_seconds(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

static void run(worker *ws, void *(*fn)(void *)) {
  pthread_t *t = calloc((size_t)opt.concurrency, sizeof *t);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  for (int i = 0; i < opt.concurrency; i++) pthread_create(&t[i], &attr, fn, &ws[i]);
  for (int i = 0; i < opt.concurrency; i++) pthread_join(t[i], NULL);
  free(t);
}

static void usage(void) {
  fprintf(stderr, "usage: tlsload --port P --ca F --cert F --key F [--host H] [--name N] [-c N] [-n N | -d S]\n"
                  "               [-k K] [--resume] [--request L] [--expect T] [--idle N --hold S] [--timeout S]\n"
                  "               [--sources N | --spread N] [--drop-tls]\n");
  exit(2);
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--resume")) { opt.resume = 1; continue; }
    if (!strcmp(a, "--drop-tls")) { opt.drop_tls = 1; continue; }
    if (i + 1 >= argc) usage();
    const char *v = argv[++i];
    if (!strcmp(a, "--host")) opt.host = v;
    else if (!strcmp(a, "--name")) opt.name = v;
    else if (!strcmp(a, "--port")) opt.port = atoi(v);
    else if (!strcmp(a, "--ca")) opt.ca = v;
    else if (!strcmp(a, "--cert")) opt.cert = v;
    else if (!strcmp(a, "--key")) opt.key = v;
    else if (!strcmp(a, "-c")) opt.concurrency = atoi(v);
    else if (!strcmp(a, "-n")) opt.total = atol(v);
    else if (!strcmp(a, "-d")) opt.duration = atof(v);
    else if (!strcmp(a, "-k")) opt.requests = atoi(v);
    else if (!strcmp(a, "--request")) opt.request = v;
    else if (!strcmp(a, "--expect")) opt.expect = v;
    else if (!strcmp(a, "--idle")) opt.idle = atoi(v);
    else if (!strcmp(a, "--hold")) opt.hold = atoi(v);
    else if (!strcmp(a, "--timeout")) opt.timeout = atoi(v);
    else if (!strcmp(a, "--sources")) opt.sources = atoi(v);
    else if (!strcmp(a, "--spread")) opt.spread = atoi(v);
    else usage();
  }
  if (!opt.port || !opt.ca || !opt.cert || !opt.key || opt.concurrency < 1) usage();
  if (opt.sources && opt.spread) usage();
  if (!opt.name) opt.name = opt.host;

  ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
  if (SSL_CTX_load_verify_locations(ctx, opt.ca, NULL) != 1 ||
      SSL_CTX_use_certificate_chain_file(ctx, opt.cert) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx, opt.key, SSL_FILETYPE_PEM) != 1) {
    ERR_print_errors_fp(stderr);
    return 2;
  }
  /* Sessions live in each worker (on_new_session), not in a cache shared by all: one worker = one device. */
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(ctx, on_new_session);

  worker *ws = calloc((size_t)opt.concurrency, sizeof *ws);
  for (int i = 0; i < opt.concurrency; i++) {
    ws[i].id = i;
    if (opt.idle && opt.drop_tls) ws[i].held_fd = calloc((size_t)opt.idle, sizeof(int));
    else if (opt.idle) ws[i].held = calloc((size_t)opt.idle, sizeof(SSL *));
  }
  double cpu0 = cpu_seconds(), t0 = now();
  deadline = t0 + opt.duration;
  run(ws, opt.idle ? open_idle : run_load);
  double wall = now() - t0;
  if (opt.idle) { /* hold, then ask every held connection once more */
    printf("held=%ld\n", atomic_load(&connections)); /* the harness samples the server's memory now */
    fflush(stdout);
    sleep((unsigned)opt.hold);
    long before = atomic_load(&requests_done);
    run(ws, recheck_idle);
    if (!opt.drop_tls) printf("rechecked=%ld ", atomic_load(&requests_done) - before);
  }
  double cpu = cpu_seconds() - cpu0;

  size_t n = 0;
  for (int i = 0; i < opt.concurrency; i++) n += ws[i].lat.n;
  double *all = malloc((n ? n : 1) * sizeof *all);
  size_t k = 0;
  for (int i = 0; i < opt.concurrency; i++) {
    memcpy(all + k, ws[i].lat.v, ws[i].lat.n * sizeof *all);
    k += ws[i].lat.n;
  }
  qsort(all, n, sizeof *all, cmp);
#define PCT(p) (n ? all[(size_t)((p) * (double)(n - 1))] * 1000 : 0.0)
  long c = atomic_load(&connections);
  printf("connections=%ld requests=%ld errors=%ld resumed=%ld wall_s=%.3f conn_per_s=%.1f req_per_s=%.1f "
         "p50_ms=%.2f p99_ms=%.2f max_ms=%.2f client_cpu_ms_per_conn=%.3f\n",
         c, atomic_load(&requests_done), atomic_load(&errors), atomic_load(&resumed), wall, c / wall,
         atomic_load(&requests_done) / wall, PCT(0.50), PCT(0.99), PCT(1.0), c ? cpu * 1000 / c : 0.0);
  return 0;
}
