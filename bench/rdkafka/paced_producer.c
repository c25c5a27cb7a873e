/*
 * paced_producer: produce→acknowledgement latency at a fixed rate, for `npm run bench -- latency`
 * and `cluster`. Built on first use against the system's librdkafka (see bench/load-tool.ts).
 *
 * Message i is due at start + i / rate. The loop sends whatever is due, serves delivery reports,
 * and sleeps until the next message is due (at least SLEEP_MIN_US, so at high rates messages
 * leave in small groups instead of the client spinning a core). A message's latency is measured
 * from the time it was due, not the time it was sent: when the client or the broker falls
 * behind, the wait counts (no coordinated omission). Every latency is written, in microseconds,
 * one per line in delivery order, to the output file; the summary goes to stdout as one line:
 *   sent=N delivered=N failed=N send_us=N elapsed_us=N
 * (send_us: from the start to the last message sent; elapsed_us: until the last acknowledgement).
 *
 * usage: paced_producer -b BOOTSTRAP -t TOPIC -r RATE -c COUNT -s BYTES -o FILE [-X key=value]...
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#define SLEEP_MIN_US 100

static int64_t *latencies;
static int64_t delivered, failed;

static int64_t now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
  (void)rk;
  (void)opaque;
  if (m->err) {
    failed++;
    return;
  }
  latencies[delivered++] = now_us() - (int64_t)(intptr_t)m->_private;
}

static void die(const char *what, const char *detail) {
  fprintf(stderr, "paced_producer: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  exit(1);
}

static void set(rd_kafka_conf_t *conf, const char *key, const char *value) {
  char err[512];
  if (rd_kafka_conf_set(conf, key, value, err, sizeof err) != RD_KAFKA_CONF_OK) die(key, err);
}

int main(int argc, char **argv) {
  const char *topic = NULL, *out = NULL;
  double rate = 0;
  int64_t count = 0;
  size_t size = 100;
  char err[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  set(conf, "acks", "all");
  int opt;
  while ((opt = getopt(argc, argv, "b:t:r:c:s:o:X:")) != -1) {
    switch (opt) {
      case 'b': set(conf, "bootstrap.servers", optarg); break;
      case 't': topic = optarg; break;
      case 'r': rate = atof(optarg); break;
      case 'c': count = atoll(optarg); break;
      case 's': size = (size_t)atol(optarg); break;
      case 'o': out = optarg; break;
      case 'X': {
        char *eq = strchr(optarg, '=');
        if (!eq) die("-X expects key=value", optarg);
        *eq = '\0';
        set(conf, optarg, eq + 1);
        break;
      }
      default: die("usage: paced_producer -b BOOTSTRAP -t TOPIC -r RATE -c COUNT -s BYTES -o FILE [-X key=value]...", NULL);
    }
  }
  if (!topic || !out || rate <= 0 || count <= 0) die("-t, -o, -r and -c are required", NULL);
  latencies = calloc((size_t)count, sizeof *latencies);
  char *payload = malloc(size);
  if (!latencies || !payload) die("out of memory", NULL);
  memset(payload, 'x', size);
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) die("rd_kafka_new", err);

  int64_t start = now_us();
  int64_t sent = 0;
  while (sent < count) {
    int64_t now = now_us();
    int64_t due = (int64_t)((double)(now - start) * rate / 1e6) + 1;
    if (due > count) due = count;
    while (sent < due) {
      int64_t due_at = start + (int64_t)((double)sent * 1e6 / rate);
      rd_kafka_resp_err_t e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_VALUE(payload, size),
                                                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE((void *)(intptr_t)due_at),
                                                RD_KAFKA_V_END);
      if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        rd_kafka_poll(rk, 1);
        continue;
      }
      if (e) die("produce", rd_kafka_err2str(e));
      sent++;
    }
    rd_kafka_poll(rk, 0);
    int64_t next = start + (int64_t)((double)sent * 1e6 / rate);
    int64_t wait = next - now_us();
    if (sent < count) usleep((useconds_t)(wait > SLEEP_MIN_US ? wait : SLEEP_MIN_US));
  }
  int64_t send_us = now_us() - start;
  rd_kafka_flush(rk, 60000);
  int64_t elapsed = now_us() - start;

  FILE *f = fopen(out, "w");
  if (!f) die("cannot write", out);
  for (int64_t i = 0; i < delivered; i++) fprintf(f, "%" PRId64 "\n", latencies[i]);
  fclose(f);
  printf("sent=%" PRId64 " delivered=%" PRId64 " failed=%" PRId64 " send_us=%" PRId64 " elapsed_us=%" PRId64 "\n", sent, delivered,
         failed, send_us, elapsed);
  rd_kafka_destroy(rk);
  return failed > 0 || delivered < count ? 2 : 0;
}
