/*
 * cidr.c: lists of addresses and networks, for login_trusted_addresses.
 * A network is written with its host bits zero (10.0.0.0/8, not
 * 10.1.2.3/8): a typo that widens or narrows it is refused, not guessed.
 * An address that does not parse matches nothing, so that junk in
 * REMOTE_ADDR is counted like any other client.
 */
#include "config/cidr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

/* addr as IPv4 (4 bytes) or IPv6 (16); an IPv4-mapped one as IPv4. */
static int
addr_parse(const char *s, unsigned char b[16], int *v6)
{
	if (inet_pton(AF_INET, s, b) == 1) {
		*v6 = 0;
		return 0;
	}
	if (inet_pton(AF_INET6, s, b) != 1)
		return -1;
	*v6 = 1;
	if (IN6_IS_ADDR_V4MAPPED((struct in6_addr *)b)) {
		memmove(b, b + 12, 4);
		*v6 = 0;
	}
	return 0;
}

/* Does addr (of the same family) fall in the first bits of net? */
static int
prefix_equal(const unsigned char *net, const unsigned char *addr,
    unsigned int bits)
{
	unsigned int  whole = bits / 8, rest = bits % 8;
	unsigned char mask;

	if (memcmp(net, addr, whole) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (unsigned char)(0xff << (8 - rest));
	return (net[whole] & mask) == (addr[whole] & mask);
}

/* Are the bits of a past the first bits zero? */
static int
host_bits_zero(const unsigned char *a, unsigned int bits, unsigned int max)
{
	unsigned int i;

	for (i = bits; i < max; i++)
		if (a[i / 8] & (0x80 >> (i % 8)))
			return 0;
	return 1;
}

/* One "ADDR" or "ADDR/BITS" into c; NULL, or a message. */
static const char *
one(struct cidr *c, const char *word)
{
	char		   a[INET6_ADDRSTRLEN + 8], *slash;
	unsigned long long bits;
	unsigned int	   max;

	if (strlen(word) >= sizeof(a))
		return "not an address or network";
	memcpy(a, word, strlen(word) + 1);
	if ((slash = strchr(a, '/')) != NULL)
		*slash++ = '\0';
	memset(c, 0, sizeof(*c));
	if (addr_parse(a, c->addr, &c->v6) == -1)
		return "not an address or network";
	max = c->v6 ? 128 : 32;
	if (slash == NULL)
		bits = max;
	else if (text_number(slash, strlen(slash), 10, max, &bits) == -1)
		return "a prefix length must be 0-32 (IPv4) or 0-128 (IPv6)";
	c->bits = (unsigned int)bits;
	if (!host_bits_zero(c->addr, c->bits, max))
		return "host bits set after the prefix (write the network, "
		       "e.g. 10.0.0.0/8)";
	return NULL;
}

int
cidr_list_parse(struct cidr_list *l, const char *text, char *err, size_t errlen)
{
	char	    word[128];
	const char *p = text, *w, *msg;
	size_t	    n;

	l->n = 0;
	while ((w = text_list_word(&p, &n)) != NULL) {
		if (n >= sizeof(word)) {
			snprintf(err, errlen, "an entry is too long");
			return -1;
		}
		memcpy(word, w, n);
		word[n] = '\0';
		if (l->n == CIDR_MAX) {
			snprintf(err, errlen, "more than %d entries", CIDR_MAX);
			return -1;
		}
		if ((msg = one(&l->v[l->n], word)) != NULL) {
			snprintf(err, errlen, "\"%s\": %s", word, msg);
			return -1;
		}
		l->n++;
	}
	return 0;
}

int
cidr_list_match(const struct cidr_list *l, const char *addr)
{
	unsigned char b[16];
	int	      v6;
	size_t	      i;

	if (addr == NULL || addr_parse(addr, b, &v6) == -1)
		return 0;
	for (i = 0; i < l->n; i++)
		if (l->v[i].v6 == v6 &&
		    prefix_equal(l->v[i].addr, b, l->v[i].bits))
			return 1;
	return 0;
}
