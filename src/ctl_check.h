/* ctl_check.h: sessgatectl check, what sessgate's Redis answers. */
#ifndef SG_CTL_CHECK_H
#define SG_CTL_CHECK_H

#include "config/config.h"
#include "store/store.h"

/* Say what works, one line a step; 0 if sessgate can run on it, else 1. */
int ctl_check(const struct config *, struct store *);

#endif
