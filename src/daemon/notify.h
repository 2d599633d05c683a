/*
 * notify.h: telling systemd (Type=notify) that sessgate is ready, is
 * reloading, or is stopping: the sd_notify protocol, without libsystemd.
 */
#ifndef SG_DAEMON_NOTIFY_H
#define SG_DAEMON_NOTIFY_H

/*
 * Take $NOTIFY_SOCKET (and remove it from the environment, so that no
 * other process sends in our name). Call before giving up root: the
 * descriptor is opened here. Without it, notify_send does nothing.
 */
void notify_init(void);
/* Send one state ("READY=1", "RELOADING=1", "STOPPING=1", "STATUS=..."). */
void notify_send(const char *state);

#endif
