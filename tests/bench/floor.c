/*
 * The floor of the benchmark: what a minimal libcurl program needs for
 * the one request that puts a code on screen.
 *
 * floor URL CAFILE BODY [FIRST_URL]
 *
 * In a fresh process (run it once per sample): curl_global_init, one
 * easy handle, one POST of BODY to URL over a fresh TLS connection that
 * trusts only CAFILE. With FIRST_URL, a GET of FIRST_URL comes first on
 * that connection and the POST follows on it: the floor plus one more
 * request, in the order a login with an empty cache makes them (the
 * discovery document, then the device authorization).
 * Prints "floor_ms=F first_ms=G conns=C maxrss_kb=R": F from before
 * curl_global_init to the end of the POST, G the part of F until the GET
 * was done (0 without FIRST_URL), C the connections libcurl opened (1 when
 * the POST reused the GET's), R the process's peak RSS at the end.
 * Exits non-zero when a transfer fails or an answer is not HTTP 200.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

static size_t
discard(char *data, size_t size, size_t nmemb, void *arg)
{
	(void)data;
	(void)arg;
	return size * nmemb;
}

static double
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int
perform(CURL *c, long *conns)
{
	long status = 0, n = 0;
	CURLcode rc;

	if ((rc = curl_easy_perform(c)) != CURLE_OK) {
		fprintf(stderr, "floor: %s\n", curl_easy_strerror(rc));
		return -1;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &n);
	*conns += n;
	if (status != 200) {
		fprintf(stderr, "floor: HTTP %ld\n", status);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	double t0, t1, t2 = 0;
	struct rusage ru;
	long conns = 0;
	CURL *c;
	int r = 1;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: floor URL CAFILE BODY [FIRST_URL]\n");
		return 2;
	}
	t0 = now_ms();
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    (c = curl_easy_init()) == NULL)
		return 1;
	curl_easy_setopt(c, CURLOPT_CAINFO, argv[2]);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	if (argc == 5) {
		curl_easy_setopt(c, CURLOPT_URL, argv[4]);
		if (perform(c, &conns) != 0)
			goto out;
		t2 = now_ms() - t0;
	}
	curl_easy_setopt(c, CURLOPT_URL, argv[1]);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, argv[3]);
	if (perform(c, &conns) != 0)
		goto out;
	t1 = now_ms();
	if (getrusage(RUSAGE_SELF, &ru) != 0)
		goto out;
	printf("floor_ms=%.3f first_ms=%.3f conns=%ld maxrss_kb=%ld\n", t1 - t0,
	    t2, conns, ru.ru_maxrss);
	r = 0;
out:
	curl_easy_cleanup(c);
	curl_global_cleanup();
	return r;
}
