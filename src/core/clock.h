/* clock.h: the monotonic clock in milliseconds, for deadlines. */
#ifndef SG_CORE_CLOCK_H
#define SG_CORE_CLOCK_H

#include <stdint.h>

/* Milliseconds of CLOCK_MONOTONIC: only differences mean anything. */
int64_t clock_ms(void);
/* Microseconds of the same clock, for durations. */
int64_t clock_us(void);

#endif
