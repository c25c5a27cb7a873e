/*
 * Tideline's stand-in for librdkafka's internal "rdtime.h", written for the bench only: the
 * microsecond timestamp type and a monotonic clock, which is all rdkafka_performance.c uses.
 */
#ifndef TIDELINE_BENCH_RDTIME_H
#define TIDELINE_BENCH_RDTIME_H

#include <stdint.h>
#include <time.h>

/* Microseconds, as in librdkafka. */
typedef int64_t rd_ts_t;

/* Monotonic microseconds: intervals stay right if the wall clock is stepped mid-run. */
static inline rd_ts_t rd_clock(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ((rd_ts_t)ts.tv_sec * 1000000) + ((rd_ts_t)ts.tv_nsec / 1000);
}

#endif
