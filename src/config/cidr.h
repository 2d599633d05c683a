/* cidr.h: lists of addresses and networks (login_trusted_addresses). */
#ifndef SG_CONFIG_CIDR_H
#define SG_CONFIG_CIDR_H

#include <stddef.h>

#define CIDR_MAX 64

struct cidr {
	int	      v6;	/* 0: IPv4 (4 bytes of addr), 1: IPv6 */
	unsigned char addr[16]; /* the network, host bits zero */
	unsigned int  bits;	/* prefix length */
};

struct cidr_list {
	size_t	    n;
	struct cidr v[CIDR_MAX];
};

/*
 * Parse a list of addresses and networks ("192.0.2.7 10.0.0.0/8,
 * 2001:db8::/32"), separated by spaces or commas, into l. An empty text
 * is an empty list. 0, or -1 with a message in err.
 */
int cidr_list_parse(struct cidr_list *l, const char *text, char *err,
    size_t errlen);
/*
 * 1 if addr (a client address as the web server sends it; an IPv4-mapped
 * IPv6 address counts as IPv4) is in one of l's networks, else 0 (an
 * address that does not parse is in none).
 */
int cidr_list_match(const struct cidr_list *l, const char *addr);

#endif
