/*
 * The floor of the benchmark: what a minimal libcurl program needs for
 * the one request that puts a code on screen.
 *
 * floor URL CAFILE BODY [EXTRA_URL]
 *
 * In a fresh process (run it once per sample): curl_global_init, one
 * easy handle, one POST of BODY to URL over a fresh TLS connection that
 * trusts only CAFILE. With EXTRA_URL, a GET of EXTRA_URL follows on the
 * same connection: the price of one more request once connected.
 * Prints "floor_ms=F extra_ms=E conns=C": F from before curl_global_init
 * to the end of the POST, E the GET alone (0 without EXTRA_URL), C the
 * connections libcurl opened for both (1 when the GET reused the first).
 * Exits non-zero when a transfer fails or an answer is not HTTP 200.
 */
#include <curl/curl.h>
#include <stdio.h>
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
	double t0, t1, t2 = 0, t3 = 0;
	long conns = 0;
	CURL *c;
	int r = 1;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: floor URL CAFILE BODY [EXTRA_URL]\n");
		return 2;
	}
	t0 = now_ms();
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    (c = curl_easy_init()) == NULL)
		return 1;
	curl_easy_setopt(c, CURLOPT_URL, argv[1]);
	curl_easy_setopt(c, CURLOPT_CAINFO, argv[2]);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, argv[3]);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	if (perform(c, &conns) != 0)
		goto out;
	t1 = now_ms();
	if (argc == 5) {
		t2 = now_ms();
		curl_easy_setopt(c, CURLOPT_URL, argv[4]);
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
		if (perform(c, &conns) != 0)
			goto out;
		t3 = now_ms();
	}
	printf(
	    "floor_ms=%.3f extra_ms=%.3f conns=%ld\n", t1 - t0, t3 - t2, conns);
	r = 0;
out:
	curl_easy_cleanup(c);
	curl_global_cleanup();
	return r;
}
