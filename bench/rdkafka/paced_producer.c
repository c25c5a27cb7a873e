/*
 * paced_producer: produce→acknowledgement and produce→consume latency at a fixed rate, for
 * `npm run bench -- latency` and `cluster`. Built on first use against the system's librdkafka
 * (see bench/load-tool.ts).
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
 * With -e FILE, a consumer in this process (its own librdkafka instance and thread, every
 * partition assigned from the beginning, no group) reads the messages back, and each message's
 * end-to-end latency, from its due time to its arrival at the consumer, goes to FILE in arrival
 * order. The payload then starts with a marker, this run's nonce, the message's index and its
 * due time: records of other runs or producers are skipped, and a message delivered twice (a
 * producer retry) counts once. The summary line gains ` consumed=N`. Both clocks are this
 * process's CLOCK_MONOTONIC.
 *
 * usage: paced_producer -b BOOTSTRAP -t TOPIC -r RATE -c COUNT -s BYTES -o FILE [-e FILE] [-X key=value]...
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#define SLEEP_MIN_US 100
#define MARKER "tl-e2e:"
#define MARKER_BYTES 7
#define NONCE_AT MARKER_BYTES
#define INDEX_AT (NONCE_AT + 8)
#define DUE_AT (INDEX_AT + 8)
#define STAMP_BYTES (DUE_AT + 8)
#define CONSUME_WAIT_US 30000000 /* after the last acknowledgement */

static int64_t *latencies;
static int64_t delivered, failed;

/* The consumer thread's state. `consumed` is polled by main while the thread runs; the samples
   and `seen` are read only after pthread_join. */
static int64_t *e2e;
static unsigned char *seen;
static int64_t expected, nonce;
static _Atomic int64_t consumed;
static atomic_int consumer_stop;

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

/* Reads until every expected message arrived or main says stop; records now - due for each. */
static void *consume_loop(void *arg) {
  rd_kafka_queue_t *queue = arg;
  while (atomic_load(&consumed) < expected && !atomic_load(&consumer_stop)) {
    rd_kafka_message_t *m = rd_kafka_consume_queue(queue, 50);
    if (!m) continue;
    const char *p = m->payload;
    int64_t run, index, due_at;
    if (!m->err && m->len >= STAMP_BYTES && memcmp(p, MARKER, MARKER_BYTES) == 0) {
      memcpy(&run, p + NONCE_AT, sizeof run);
      memcpy(&index, p + INDEX_AT, sizeof index);
      memcpy(&due_at, p + DUE_AT, sizeof due_at);
      if (run == nonce && index >= 0 && index < expected && !seen[index]) {
        seen[index] = 1;
        int64_t n = atomic_load(&consumed);
        e2e[n] = now_us() - due_at;
        atomic_store(&consumed, n + 1);
      }
    }
    rd_kafka_message_destroy(m);
  }
  return NULL;
}

/*
 * A consumer reading every partition of `topic` from the beginning into one queue, started before
 * anything is sent. It uses librdkafka's simple consumer (no group.id): a group member would make
 * the brokers create __consumer_offsets in the middle of the measurement.
 */
static rd_kafka_queue_t *start_consumer(rd_kafka_t *rk, const char *topic, rd_kafka_topic_t **topic_out, int32_t **ids_out, int *partitions_out) {
  rd_kafka_topic_t *t = rd_kafka_topic_new(rk, topic, NULL);
  const struct rd_kafka_metadata *md = NULL;
  rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, t, &md, 10000);
  if (e) die("metadata", rd_kafka_err2str(e));
  if (md->topic_cnt != 1 || md->topics[0].err || md->topics[0].partition_cnt == 0) die("topic not found", topic);
  rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
  *partitions_out = md->topics[0].partition_cnt;
  int32_t *ids = calloc((size_t)md->topics[0].partition_cnt, sizeof *ids);
  if (!ids) die("out of memory", NULL);
  for (int i = 0; i < md->topics[0].partition_cnt; i++) {
    ids[i] = md->topics[0].partitions[i].id;
    if (rd_kafka_consume_start_queue(t, ids[i], RD_KAFKA_OFFSET_BEGINNING, queue) == -1)
      die("consume_start", rd_kafka_err2str(rd_kafka_last_error()));
  }
  *ids_out = ids;
  rd_kafka_metadata_destroy(md);
  *topic_out = t;
  return queue;
}

int main(int argc, char **argv) {
  const char *topic = NULL, *out = NULL, *e2e_out = NULL, *bootstrap = NULL;
  double rate = 0;
  int64_t count = 0;
  size_t size = 100;
  char err[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  set(conf, "acks", "all");
  int opt;
  while ((opt = getopt(argc, argv, "b:t:r:c:s:o:e:X:")) != -1) {
    switch (opt) {
      case 'b': set(conf, "bootstrap.servers", optarg); bootstrap = optarg; break;
      case 't': topic = optarg; break;
      case 'r': rate = atof(optarg); break;
      case 'c': count = atoll(optarg); break;
      case 's': size = (size_t)atol(optarg); break;
      case 'o': out = optarg; break;
      case 'e': e2e_out = optarg; break;
      case 'X': {
        char *eq = strchr(optarg, '=');
        if (!eq) die("-X expects key=value", optarg);
        *eq = '\0';
        set(conf, optarg, eq + 1);
        break;
      }
      default: die("usage: paced_producer -b BOOTSTRAP -t TOPIC -r RATE -c COUNT -s BYTES -o FILE [-e FILE] [-X key=value]...", NULL);
    }
  }
  if (!topic || !out || rate <= 0 || count <= 0 || !bootstrap) die("-b, -t, -o, -r and -c are required", NULL);
  if (e2e_out && size < STAMP_BYTES) die("-e needs -s of at least 31 bytes (marker, nonce, index and due time)", NULL);
  latencies = calloc((size_t)count, sizeof *latencies);
  char *payload = malloc(size);
  if (!latencies || !payload) die("out of memory", NULL);
  memset(payload, 'x', size);
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) die("rd_kafka_new", err);
  /* One unmarked message, acknowledged before the clock starts: it creates the topic where the
     broker auto-creates topics, and the producer learns the leaders first (otherwise the first
     messages wait for that metadata, up to a second when a consumer shares the process). Its
     delivery report is not counted; the consumer skips it. */
  if (rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_VALUE("warm-up", 7), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                        RD_KAFKA_V_OPAQUE(NULL), RD_KAFKA_V_END))
    die("produce (warm-up)", NULL);
  if (rd_kafka_flush(rk, 30000)) die("warm-up message not acknowledged within 30 s", NULL);
  if (failed > 0) die("warm-up message failed", NULL);
  delivered = failed = 0;

  rd_kafka_t *consumer = NULL;
  rd_kafka_topic_t *consumer_topic = NULL;
  rd_kafka_queue_t *consumer_queue = NULL;
  int consumer_partitions = 0;
  int32_t *consumer_ids = NULL;
  pthread_t consumer_thread;
  if (e2e_out) {
    e2e = calloc((size_t)count, sizeof *e2e);
    seen = calloc((size_t)count, 1);
    if (!e2e || !seen) die("out of memory", NULL);
    expected = count;
    nonce = now_us() ^ ((int64_t)getpid() << 40);
    memcpy(payload, MARKER, MARKER_BYTES);
    memcpy(payload + NONCE_AT, &nonce, sizeof nonce);
    rd_kafka_conf_t *cconf = rd_kafka_conf_new();
    set(cconf, "bootstrap.servers", bootstrap);
    set(cconf, "fetch.wait.max.ms", "100");
    consumer = rd_kafka_new(RD_KAFKA_CONSUMER, cconf, err, sizeof err);
    if (!consumer) die("rd_kafka_new (consumer)", err);
    consumer_queue = start_consumer(consumer, topic, &consumer_topic, &consumer_ids, &consumer_partitions);
    if (pthread_create(&consumer_thread, NULL, consume_loop, consumer_queue) != 0) die("pthread_create", NULL);
  }
  int64_t start = now_us();
  int64_t sent = 0;
  while (sent < count) {
    int64_t now = now_us();
    int64_t due = (int64_t)((double)(now - start) * rate / 1e6) + 1;
    if (due > count) due = count;
    while (sent < due) {
      int64_t due_at = start + (int64_t)((double)sent * 1e6 / rate);
      if (e2e_out) {
        memcpy(payload + INDEX_AT, &sent, sizeof sent);
        memcpy(payload + DUE_AT, &due_at, sizeof due_at);
      }
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
  if (e2e_out) {
    int64_t give_up = now_us() + CONSUME_WAIT_US;
    while (atomic_load(&consumed) < expected && now_us() < give_up) usleep(10000);
    atomic_store(&consumer_stop, 1);
    pthread_join(consumer_thread, NULL);
    FILE *ef = fopen(e2e_out, "w");
    if (!ef) die("cannot write", e2e_out);
    for (int64_t i = 0; i < consumed; i++) fprintf(ef, "%" PRId64 "\n", e2e[i]);
    fclose(ef);
    for (int i = 0; i < consumer_partitions; i++) rd_kafka_consume_stop(consumer_topic, consumer_ids[i]);
    rd_kafka_queue_destroy(consumer_queue);
    rd_kafka_topic_destroy(consumer_topic);
    rd_kafka_destroy(consumer);
  }

  FILE *f = fopen(out, "w");
  if (!f) die("cannot write", out);
  for (int64_t i = 0; i < delivered; i++) fprintf(f, "%" PRId64 "\n", latencies[i]);
  fclose(f);
  printf("sent=%" PRId64 " delivered=%" PRId64 " failed=%" PRId64 " send_us=%" PRId64 " elapsed_us=%" PRId64, sent, delivered,
         failed, send_us, elapsed);
  if (e2e_out) printf(" consumed=%" PRId64, consumed);
  printf("\n");
  rd_kafka_destroy(rk);
  return failed > 0 || delivered < count || (e2e_out && consumed < count) ? 2 : 0;
}
