/*
 * fuzz.h: what the libFuzzer targets share. Each target is one
 * fuzz_<parser>.c with LLVMFuzzerTestOneInput; tests/fuzz/run.sh builds
 * and runs them. A target checks what the parser promises as well as
 * letting the sanitizers watch it: a broken promise is a crash (abort),
 * so that the fuzzer keeps the input.
 */
#ifndef SG_FUZZ_H
#define SG_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A promise of the parser, broken: say which, and crash. */
#define FUZZ_ASSERT(c) \
	do { \
		if (!(c)) { \
			fprintf(stderr, "%s:%d: broken promise: %s\n", \
			    __FILE__, __LINE__, #c); \
			abort(); \
		} \
	} while (0)

/*
 * The input as a C string in a buffer of exactly size + 1 bytes (so that
 * the sanitizer sees any read past its end), or NULL if it holds a NUL:
 * the parsers that take C strings never see one from outside.
 */
static inline char *
fuzz_string(const uint8_t *data, size_t size)
{
	char *s;

	if (memchr(data, '\0', size) != NULL || (s = malloc(size + 1)) == NULL)
		return NULL;
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* 1 if s[0..len) holds a NUL, i.e. a fixed-size field is terminated. */
static inline int
fuzz_terminated(const char *s, size_t len)
{
	return memchr(s, '\0', len) != NULL;
}

#endif
