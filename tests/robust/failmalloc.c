/*
 * failmalloc.so: an LD_PRELOAD interposer that makes the Nth allocation
 * made on behalf of pam_oidc fail, to check that every allocation failure
 * ends in a refused login, never in a success, a crash or a hang.
 *
 *   FAILMALLOC_N=N        fail the Nth counted allocation (1-based);
 *                         unset or 0: count only
 *   FAILMALLOC_REPORT=F   write what happened to F: "failed 0|1", the
 *                         failing call site and stack ("frame OBJ OFF"),
 *                         and at exit "count C"
 *   FAILMALLOC_TRACE=1    also print the stack to stderr when failing
 *
 * What is counted: malloc, calloc, realloc (not as a free), strdup,
 * strndup, posix_memalign, aligned_alloc and memalign whose immediate
 * caller (__builtin_return_address(0)) lies in pam_oidc.so, libjansson or
 * libqrencode: the module and the two parsing libraries it drives.
 * Allocations made inside libcurl, OpenSSL, libpam, nss modules, the
 * dynamic loader and libc are deliberately not counted: those projects
 * run their own allocation-failure tests, and failing them here would
 * mostly test them, not the module. An allocation libc makes for the
 * module (opendir, for instance) is therefore not failed either.
 *
 * strdup and strndup are implemented here on top of the real malloc, so
 * that the caller seen is the module, not libc.
 *
 * Counting starts (is armed) at the first allocation whose caller is
 * pam_oidc.so, that is in pam_sm_authenticate: the application's own
 * allocations and libpam's before it do not shift the numbering.
 *
 * The real functions come from dlsym(RTLD_NEXT). dlsym itself may call
 * calloc before they are known; those early requests are served from a
 * small static arena whose blocks are never freed.
 *
 * Caller ranges are found with dl_iterate_phdr (the PT_LOAD segments of
 * the object holding the address) and cached, so each object is looked
 * up once. A process that loads objects after unloading others may see
 * an address range reused; the drivers run one login per process.
 */
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ARENA_SIZE (256 * 1024)
#define MAX_RANGES 256
#define MAX_FRAMES 48

enum kind { K_OTHER = 0, K_MODULE = 1, K_LIB = 2 };

struct range {
	uintptr_t lo, hi;
	int kind;
};

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);

static _Alignas(64) unsigned char arena[ARENA_SIZE];
static size_t arena_used;
static int resolving;

static struct range ranges[MAX_RANGES];
static int nranges;

static long fail_n;
static long counted;
static int armed;
static int failed;
static int trace;
static const char *report;
static void *frames[MAX_FRAMES];
static int nframes;
static __thread int busy;

static int
in_arena(const void *p)
{
	return (const unsigned char *)p >= arena &&
	    (const unsigned char *)p < arena + ARENA_SIZE;
}

/* A block of the arena, with its size just before it (for realloc). */
static void *
arena_alloc(size_t n)
{
	size_t *hdr;
	size_t need = (n + 2 * sizeof(size_t) + 15) & ~(size_t)15, off;

	off = __atomic_fetch_add(&arena_used, need, __ATOMIC_RELAXED);
	if (off + need > ARENA_SIZE)
		return NULL;
	hdr = (size_t *)(arena + off);
	hdr[0] = n;
	return arena + off + 2 * sizeof(size_t);
}

static size_t
arena_size(const void *p)
{
	return ((const size_t *)p)[-2];
}

static void
resolve(void)
{
	if (real_free != NULL)
		return;
	resolving = 1;
	real_malloc = dlsym(RTLD_NEXT, "malloc");
	real_calloc = dlsym(RTLD_NEXT, "calloc");
	real_realloc = dlsym(RTLD_NEXT, "realloc");
	real_posix_memalign = dlsym(RTLD_NEXT, "posix_memalign");
	real_aligned_alloc = dlsym(RTLD_NEXT, "aligned_alloc");
	real_memalign = dlsym(RTLD_NEXT, "memalign");
	__atomic_store_n(
	    &real_free, dlsym(RTLD_NEXT, "free"), __ATOMIC_RELEASE);
	resolving = 0;
}

static int
name_kind(const char *name)
{
	const char *base = strrchr(name, '/');

	base = base != NULL ? base + 1 : name;
	if (strstr(base, "pam_oidc.so") != NULL)
		return K_MODULE;
	if (strncmp(base, "libjansson.so", 13) == 0 ||
	    strncmp(base, "libqrencode.so", 14) == 0)
		return K_LIB;
	return K_OTHER;
}

struct find {
	uintptr_t addr;
	struct range r;
	int found;
};

static int
find_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct find *f = arg;
	uintptr_t lo = UINTPTR_MAX, hi = 0, a, b;
	int i, inside = 0;

	(void)size;
	for (i = 0; i < info->dlpi_phnum; i++) {
		if (info->dlpi_phdr[i].p_type != PT_LOAD)
			continue;
		a = info->dlpi_addr + info->dlpi_phdr[i].p_vaddr;
		b = a + info->dlpi_phdr[i].p_memsz;
		if (a < lo)
			lo = a;
		if (b > hi)
			hi = b;
		if (f->addr >= a && f->addr < b)
			inside = 1;
	}
	if (!inside)
		return 0;
	f->r.lo = lo;
	f->r.hi = hi;
	f->r.kind = name_kind(info->dlpi_name);
	f->found = 1;
	return 1;
}

static int
prefill_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	uintptr_t lo = UINTPTR_MAX, hi = 0, a, b;
	int i;

	(void)size;
	(void)arg;
	if (nranges >= MAX_RANGES)
		return 1;
	for (i = 0; i < info->dlpi_phnum; i++) {
		if (info->dlpi_phdr[i].p_type != PT_LOAD)
			continue;
		a = info->dlpi_addr + info->dlpi_phdr[i].p_vaddr;
		b = a + info->dlpi_phdr[i].p_memsz;
		if (a < lo)
			lo = a;
		if (b > hi)
			hi = b;
	}
	if (lo < hi) {
		ranges[nranges].lo = lo;
		ranges[nranges].hi = hi;
		ranges[nranges].kind = name_kind(info->dlpi_name);
		__atomic_store_n(&nranges, nranges + 1, __ATOMIC_RELEASE);
	}
	return 0;
}

static int
caller_kind(const void *caller)
{
	uintptr_t a = (uintptr_t)caller;
	struct find f;
	int i, n = __atomic_load_n(&nranges, __ATOMIC_ACQUIRE);

	for (i = 0; i < n; i++)
		if (a >= ranges[i].lo && a < ranges[i].hi)
			return ranges[i].kind;
	memset(&f, 0, sizeof(f));
	f.addr = a;
	busy++;
	dl_iterate_phdr(find_cb, &f);
	busy--;
	if (!f.found)
		return K_OTHER;
	/* Racing inserts at worst duplicate an entry. */
	i = __atomic_fetch_add(&nranges, 0, __ATOMIC_RELAXED);
	if (i < MAX_RANGES) {
		ranges[i] = f.r;
		__atomic_store_n(&nranges, i + 1, __ATOMIC_RELEASE);
	}
	return f.r.kind;
}

static void
put(int fd, const char *s)
{
	size_t n = strlen(s);
	ssize_t w;

	while (n > 0 && (w = write(fd, s, n)) > 0) {
		s += w;
		n -= (size_t)w;
	}
}

/* "frame /path/to/object 0xOFFSET" for each return address. */
static void
put_frames(int fd, void *const *fr, int n, const void *caller)
{
	char line[600];
	Dl_info di;
	int i;

	if (dladdr(caller, &di) != 0 && di.dli_fname != NULL) {
		snprintf(line, sizeof(line), "site %s 0x%lx\n", di.dli_fname,
		    (unsigned long)((uintptr_t)caller -
			(uintptr_t)di.dli_fbase));
		put(fd, line);
	}
	for (i = 0; i < n; i++) {
		if (dladdr(fr[i], &di) == 0 || di.dli_fname == NULL) {
			snprintf(line, sizeof(line), "frame ? %p\n", fr[i]);
		} else {
			snprintf(line, sizeof(line), "frame %s 0x%lx\n",
			    di.dli_fname,
			    (unsigned long)((uintptr_t)fr[i] -
				(uintptr_t)di.dli_fbase));
		}
		put(fd, line);
	}
}

static void
on_fail(const void *caller)
{
	int fd;

	busy++;
	nframes = backtrace(frames, MAX_FRAMES);
	if (report != NULL &&
	    (fd = open(report, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		 0600)) >= 0) {
		put(fd, "failed 1\n");
		put_frames(fd, frames, nframes, caller);
		close(fd);
	}
	if (trace) {
		put(2, "failmalloc: failing this allocation:\n");
		put_frames(2, frames, nframes, caller);
		backtrace_symbols_fd(frames, nframes, 2);
	}
	busy--;
}

/* Should this allocation, made from caller, fail? */
static int
should_fail(const void *caller)
{
	long n;
	int k;

	if (busy || resolving)
		return 0;
	k = caller_kind(caller);
	if (k == K_OTHER)
		return 0;
	if (!__atomic_load_n(&armed, __ATOMIC_ACQUIRE)) {
		if (k != K_MODULE)
			return 0;
		__atomic_store_n(&armed, 1, __ATOMIC_RELEASE);
	}
	n = __atomic_add_fetch(&counted, 1, __ATOMIC_RELAXED);
	if (fail_n <= 0 || n != fail_n)
		return 0;
	failed = 1;
	on_fail(caller);
	return 1;
}

static void *
do_malloc(size_t n, const void *caller)
{
	if (real_malloc == NULL) {
		if (resolving)
			return arena_alloc(n);
		resolve();
	}
	if (should_fail(caller)) {
		errno = ENOMEM;
		return NULL;
	}
	return real_malloc(n);
}

void *
malloc(size_t n)
{
	return do_malloc(n, __builtin_return_address(0));
}

void *
calloc(size_t n, size_t size)
{
	void *p;

	if (real_calloc == NULL) {
		if (resolving) {
			if (size != 0 && n > SIZE_MAX / size)
				return NULL;
			/* The arena is static, hence zeroed, and never reused. */
			return arena_alloc(n * size);
		}
		resolve();
	}
	if (should_fail(__builtin_return_address(0))) {
		errno = ENOMEM;
		return NULL;
	}
	p = real_calloc(n, size);
	return p;
}

void *
realloc(void *p, size_t n)
{
	void *np;

	if (p != NULL && in_arena(p)) {
		/* Leave the arena for the real heap. */
		np = malloc(n);
		if (np != NULL)
			memcpy(np, p, arena_size(p) < n ? arena_size(p) : n);
		return np;
	}
	if (real_realloc == NULL) {
		if (resolving)
			return p == NULL ? arena_alloc(n) : NULL;
		resolve();
	}
	if (n != 0 && should_fail(__builtin_return_address(0))) {
		errno = ENOMEM;
		return NULL;
	}
	return real_realloc(p, n);
}

void
free(void *p)
{
	if (p == NULL || in_arena(p))
		return;
	if (real_free == NULL)
		resolve();
	real_free(p);
}

char *
strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = do_malloc(n, __builtin_return_address(0));

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

char *
strndup(const char *s, size_t max)
{
	size_t n = strnlen(s, max);
	char *p = do_malloc(n + 1, __builtin_return_address(0));

	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

int
posix_memalign(void **out, size_t align, size_t n)
{
	if (real_posix_memalign == NULL)
		resolve();
	if (should_fail(__builtin_return_address(0)))
		return ENOMEM;
	return real_posix_memalign(out, align, n);
}

void *
aligned_alloc(size_t align, size_t n)
{
	if (real_aligned_alloc == NULL)
		resolve();
	if (should_fail(__builtin_return_address(0))) {
		errno = ENOMEM;
		return NULL;
	}
	return real_aligned_alloc(align, n);
}

void *
memalign(size_t align, size_t n)
{
	if (real_memalign == NULL)
		resolve();
	if (should_fail(__builtin_return_address(0))) {
		errno = ENOMEM;
		return NULL;
	}
	return real_memalign(align, n);
}

__attribute__((constructor)) static void
failmalloc_init(void)
{
	const char *s;
	void *fr[2];

	resolve();
	/*
	 * Everything loaded so far (the loader included) is classified now,
	 * so that no lookup happens while the loader is busy in a dlopen.
	 */
	busy++;
	dl_iterate_phdr(prefill_cb, NULL);
	busy--;
	if ((s = getenv("FAILMALLOC_N")) != NULL)
		fail_n = strtol(s, NULL, 10);
	report = getenv("FAILMALLOC_REPORT");
	if (report != NULL && *report == '\0')
		report = NULL;
	s = getenv("FAILMALLOC_TRACE");
	trace = s != NULL && strcmp(s, "1") == 0;
	/* backtrace() loads libgcc_s on first use: not inside a failure. */
	busy++;
	(void)backtrace(fr, 2);
	busy--;
}

__attribute__((destructor)) static void
failmalloc_fini(void)
{
	char line[128];
	int fd;

	if (report == NULL)
		return;
	/* The failure, when there was one, is already in the file. */
	fd = open(report,
	    O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (failed ? 0 : O_TRUNC),
	    0600);
	if (fd < 0)
		return;
	if (!failed)
		put(fd, "failed 0\n");
	snprintf(line, sizeof(line), "n %ld\ncount %ld\n", fail_n,
	    __atomic_load_n(&counted, __ATOMIC_RELAXED));
	put(fd, line);
	close(fd);
}
