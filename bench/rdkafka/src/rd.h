/*
 * Tideline's stand-in for librdkafka's internal "rd.h", written for the bench only.
 *
 * Debian's librdkafka-dev ships examples/rdkafka_performance.c but not the private headers
 * it includes from the librdkafka source tree. This file provides just what that one program
 * uses: the system headers it relies on, RD_MIN/RD_MAX, rd_snprintf, and (through rdtime.h)
 * rd_ts_t and rd_clock(). bench/load-tool.ts compiles the program with -I pointing here,
 * so both `#include "../src/rd.h"` and `#include "rd.h"` resolve to this file.
 */
#ifndef TIDELINE_BENCH_RD_H
#define TIDELINE_BENCH_RD_H

/* Must come before any system header; the program defines it again (identically) later. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define RD_MIN(a, b) ((a) < (b) ? (a) : (b))
#define RD_MAX(a, b) ((a) > (b) ? (a) : (b))

/* The program only formats into fixed buffers; plain snprintf is what it needs. */
#define rd_snprintf snprintf

#include "rdtime.h"

#endif
