# pam_oidc: make all | check | demo | bench | asan | fuzz | lint | e2e |
# install | uninstall | clean | format-check | po-check | pot

CC	?= cc
BUILD	?= build
PREFIX	?= /usr
SBINDIR	?= $(PREFIX)/sbin
MANDIR	?= $(PREFIX)/share/man
DOCDIR	?= $(PREFIX)/share/doc/pam_oidc
LOCALEDIR ?= $(PREFIX)/share/locale
SYSCONFDIR ?= /etc
PAMCONFIGDIR ?= $(PREFIX)/share/pam-configs
# The directory that holds pam_unix.so on this system.
PAMDIR	?= $(shell dirname "$$(find /lib /usr/lib /lib64 /usr/lib64 -name pam_unix.so -path '*security*' 2>/dev/null | head -n 1)" 2>/dev/null)
# The directory that holds libnss_files.so.2 (where glibc finds NSS modules).
NSSDIR	?= $(shell dirname "$$(find /lib /usr/lib /lib64 /usr/lib64 -name libnss_files.so.2 2>/dev/null | head -n 1)" 2>/dev/null)

HARDEN	 = -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIC
OPT	?= -O2 -g
SAN	?=
CFLAGS	+= $(OPT) $(SAN) -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wformat=2 $(HARDEN)
CPPFLAGS += -D_GNU_SOURCE -Ipam_oidc -DOIDC_LOCALEDIR='"$(LOCALEDIR)"'
LDFLAGS	+= -Wl,-z,relro,-z,now $(SAN)
LIBS	 = -lcurl -ljansson -lcrypto -lqrencode

CORE	 = oidc log names strlist buf safefile ratelimit pins \
	   config config_load proxy b64url json json_parse form sanitize qr http \
	   cache session etcgroup account groups host message \
	   localids regpolicy regfile regalloc registry home catalog lang wrap \
	   layout \
	   discovery device_flow jwks jwt claims roles display \
	   provider interrupt approval login
CORE_O	 = $(CORE:%=$(BUILD)/%.o)
MOD_O	 = $(BUILD)/pam_oidc.o $(BUILD)/handle.o
# The NSS module links only the registry and what it needs: libc alone.
NSS_O	 = $(BUILD)/nss_oidc.o $(BUILD)/registry.o $(BUILD)/regfile.o \
	   $(BUILD)/regalloc.o \
	   $(BUILD)/regpolicy.o $(BUILD)/localids.o $(BUILD)/names.o \
	   $(BUILD)/safefile.o $(BUILD)/oidc.o
UNIT	 = $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))
# The person's languages: pam_oidc/po/LL.po, English being the source.
LINGUAS	 = de ja
MO	 = $(LINGUAS:%=$(BUILD)/locale/%/LC_MESSAGES/pam_oidc.mo)

all: $(BUILD)/pam_oidc.so $(BUILD)/libnss_oidc.so.2 $(BUILD)/pam-oidc $(MO)

# msgfmt --check: the translations take the msgid's printf arguments and
# the header is complete; a failure stops the build.
$(BUILD)/locale/%/LC_MESSAGES/pam_oidc.mo: pam_oidc/po/%.po
	@mkdir -p $(dir $@)
	msgfmt --check -o $@ $<

# The template of the catalogs, from the sources (run after changing a
# person-facing string, then msgmerge the .po files).
pot:
	xgettext --from-code=UTF-8 --language=C --keyword=T --keyword=N_ \
	    --add-comments=TRANSLATORS: --package-name=pam_oidc \
	    --msgid-bugs-address= --no-location --sort-output \
	    -o pam_oidc/po/pam_oidc.pot pam_oidc/*.c

$(BUILD)/%.o: pam_oidc/%.c pam_oidc/*.h
	@mkdir -p $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/libcore.a: $(CORE_O)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/pam_oidc.so: $(MOD_O) $(BUILD)/libcore.a pam_oidc/pam_oidc.map
	$(CC) -shared $(CFLAGS) $(LDFLAGS) \
	    -Wl,--version-script=pam_oidc/pam_oidc.map -o $@ $(MOD_O) \
	    $(BUILD)/libcore.a $(LIBS) -lpam

$(BUILD)/libnss_oidc.so.2: $(NSS_O) pam_oidc/nss_oidc.map
	$(CC) -shared $(CFLAGS) $(LDFLAGS) -Wl,-soname,libnss_oidc.so.2 \
	    -Wl,--version-script=pam_oidc/nss_oidc.map -o $@ $(NSS_O)

$(BUILD)/pam-oidc: helper/*.c helper/*.h $(BUILD)/libcore.a pam_oidc/*.h
	$(CC) $(CPPFLAGS) $(CFLAGS) -fPIE -pie $(LDFLAGS) -o $@ \
	    helper/*.c $(BUILD)/libcore.a $(LIBS)

# The unit tests read the catalogs built here (TEST_LOCALEDIR).
$(BUILD)/unit/%: tests/unit/%.c tests/unit/*.h $(BUILD)/libcore.a $(MO)
	@mkdir -p $(BUILD)/unit
	$(CC) $(CPPFLAGS) -DTEST_LOCALEDIR='"$(BUILD)/locale"' -Itests/unit \
	    $(CFLAGS) -Wno-unused-parameter \
	    $(LDFLAGS) -o $@ $< $(BUILD)/libcore.a $(LIBS) -lcmocka

# The core without its transport and its clock: the scripted login tests
# (tests/unit/test_login*.c) link test doubles of http.c and interrupt.c
# in their place, and no libcurl, so nothing in them reaches a network.
SCRIPT_O = $(filter-out $(BUILD)/http.o $(BUILD)/interrupt.o,$(CORE_O))
SCRIPT_DOUBLES = tests/unit/http_script.c tests/unit/clock_script.c
SCRIPT_LIBS = -ljansson -lcrypto -lqrencode
UNIT_SCRIPT = $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_login*.c))

$(BUILD)/libcore-script.a: $(SCRIPT_O)
	rm -f $@
	ar rcs $@ $^

$(UNIT_SCRIPT:%=$(BUILD)/unit/%): $(BUILD)/unit/%: tests/unit/%.c \
    tests/unit/*.h $(SCRIPT_DOUBLES) $(BUILD)/libcore-script.a
	@mkdir -p $(BUILD)/unit
	$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) -Wno-unused-parameter \
	    $(LDFLAGS) -o $@ $< $(SCRIPT_DOUBLES) $(BUILD)/libcore-script.a \
	    $(SCRIPT_LIBS) -lcmocka


# Every program the test scripts run, built here: the scripts only run
# them. The PAM drivers are thin main()s on tests/driver/driver.c, linked
# with -rdynamic so that the module's syslog binds to the driver's.
DRIVERS	 = pamdrive sudodrive logindrive cycles benchdrive
TEST_BINS = $(DRIVERS:%=$(BUILD)/%) $(BUILD)/nssdrive $(BUILD)/failmalloc.so \
	   $(BUILD)/floor $(BUILD)/libconly $(BUILD)/unit/test_retval
DRIVER_CFLAGS = $(CPPFLAGS) -Itests/driver $(CFLAGS)

test-bins: $(TEST_BINS)

$(BUILD)/driver.o: tests/driver/driver.c tests/driver/driver.h
	@mkdir -p $(BUILD)
	$(CC) $(DRIVER_CFLAGS) -c $< -o $@

$(BUILD)/pamdrive $(BUILD)/sudodrive: $(BUILD)/%: tests/integration/%.c \
    $(BUILD)/driver.o tests/driver/driver.h
	$(CC) $(DRIVER_CFLAGS) -rdynamic $(LDFLAGS) -o $@ $< \
	    $(BUILD)/driver.o -lpam

$(BUILD)/logindrive $(BUILD)/cycles: $(BUILD)/%: tests/robust/%.c \
    $(BUILD)/driver.o tests/driver/driver.h
	$(CC) $(DRIVER_CFLAGS) -rdynamic $(LDFLAGS) -o $@ $< \
	    $(BUILD)/driver.o -lpam

$(BUILD)/benchdrive: tests/bench/benchdrive.c $(BUILD)/driver.o \
    tests/driver/driver.h
	$(CC) $(DRIVER_CFLAGS) -rdynamic $(LDFLAGS) -o $@ $< \
	    $(BUILD)/driver.o -lpam

# The allocation-failure interposer replaces malloc: never with a
# sanitizer's allocator, nor with the hardening flags' checks inside it.
$(BUILD)/failmalloc.so: tests/robust/failmalloc.c
	@mkdir -p $(BUILD)
	$(CC) -D_GNU_SOURCE -O2 -g -std=gnu11 -Wall -Wextra -Werror -shared \
	    -fPIC -o $@ $< -ldl

# The benchmark's reference programs (a minimal libcurl client, a program
# of libc alone) keep the plain flags they are measured with.
BENCH_CFLAGS = -O2 -g -std=gnu11 -Wall -Wextra -Werror

$(BUILD)/floor: tests/bench/floor.c
	@mkdir -p $(BUILD)
	$(CC) $(BENCH_CFLAGS) -o $@ $< -lcurl

$(BUILD)/libconly: tests/bench/libconly.c
	@mkdir -p $(BUILD)
	$(CC) $(BENCH_CFLAGS) -o $@ $<

# The return codes of the built module through real libpam: no provider
# needed (tests/retval/test_retval.c); in the unit run.
$(BUILD)/unit/test_retval: tests/retval/test_retval.c $(BUILD)/driver.o \
    tests/driver/driver.h $(BUILD)/pam_oidc.so
	@mkdir -p $(BUILD)/unit
	$(CC) $(DRIVER_CFLAGS) -Wno-unused-parameter \
	    -DRETVAL_MODULE='"$(abspath $(BUILD))/pam_oidc.so"' -rdynamic \
	    $(LDFLAGS) -o $@ $< $(BUILD)/driver.o -lpam -lcmocka

# The module and a driver that signs in from several threads at once,
# under ThreadSanitizer, in $(TSAN_BUILD) (tests/robust/threads.sh).
TSAN_BUILD ?= build-tsan

tsan-bins:
	$(MAKE) BUILD=$(TSAN_BUILD) OPT="-O1 -g" SAN="-fsanitize=thread" \
	    $(TSAN_BUILD)/pam_oidc.so $(TSAN_BUILD)/threads

$(BUILD)/threads: tests/robust/threads.c
	@mkdir -p $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< -lpam -lpthread

$(BUILD)/nssdrive: tests/integration/nssdrive.c
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< -ldl -lpthread

deps:
	@bash tests/deps.sh

unit: $(UNIT:%=$(BUILD)/unit/%) $(BUILD)/unit/test_retval
	@bash tests/unit/run.sh $(BUILD)/unit $(UNIT) test_retval

# Unit tests, man pages and format first; then lint, integration, end to
# end, allocation failure, 1000 cycles and the fuzz regressions, each run
# to its end (tests/check.sh prints a summary).
check: deps all test-bins fuzz-bins tsan-bins unit man-check format-check \
    po-check
	@bash tests/check.sh $(BUILD)

# The libFuzzer targets: the core and each tests/fuzz/fuzz_<target>.c
# with clang's libFuzzer, ASan and UBSan, in $(FUZZ_BUILD).
FUZZ_BUILD ?= build-fuzz
FUZZ_CC	?= clang
FUZZ_CFLAGS = -g -O1 -fno-omit-frame-pointer \
	   -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	   -D_GNU_SOURCE -Ipam_oidc -std=gnu11
FUZZ_TARGETS = $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))

fuzz-bins: $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/bin/fuzz_%)

$(FUZZ_BUILD)/obj/%.o: pam_oidc/%.c pam_oidc/*.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_BUILD)/obj/libcore.a: $(CORE:%=$(FUZZ_BUILD)/obj/%.o)
	rm -f $@
	ar rcs $@ $^

# The login target links the scripted transport and clock in place of
# http.c and interrupt.c, and wraps the allocator to fail it at will.
FUZZ_SCRIPT_O = $(filter-out %/http.o %/interrupt.o,$(CORE:%=$(FUZZ_BUILD)/obj/%.o))
FUZZ_WRAP = -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,--wrap=strndup

$(FUZZ_BUILD)/obj/libcore-script.a: $(FUZZ_SCRIPT_O)
	rm -f $@
	ar rcs $@ $^

$(FUZZ_BUILD)/bin/fuzz_login: tests/fuzz/fuzz_login.c tests/fuzz/*.h \
    tests/unit/fixtures.h tests/unit/http_script.h tests/unit/clock_script.h \
    $(SCRIPT_DOUBLES) $(FUZZ_BUILD)/obj/libcore-script.a
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Wall -Wextra -Itests/fuzz -Itests/unit \
	    $< $(SCRIPT_DOUBLES) -o $@ $(FUZZ_BUILD)/obj/libcore-script.a \
	    $(FUZZ_WRAP) -ljansson -lcrypto -lqrencode

$(FUZZ_BUILD)/bin/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/*.h \
    tests/unit/fixtures.h tests/unit/jose_vectors.h $(FUZZ_BUILD)/obj/libcore.a
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Wall -Wextra -Itests/fuzz -Itests/unit \
	    $< -o $@ $(FUZZ_BUILD)/obj/libcore.a $(LIBS)

FUZZ_SECONDS ?= 60
# Each libFuzzer target for FUZZ_SECONDS under ASan and UBSan.
fuzz: deps fuzz-bins
	@bash tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BUILD)

lint: deps
	@bash tests/lint.sh

e2e: deps all test-bins
	@bash tests/e2e/run.sh $(BUILD)

# The unit and integration suites again under ASan and UBSan.
asan:
	$(MAKE) BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
	    SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" \
	    all test-bins unit
	ASAN_PRELOAD="$$($(CC) -print-file-name=libasan.so)" \
	    ASAN_OPTIONS=detect_leaks=1 bash tests/integration/run.sh build-asan

demo: deps all $(BUILD)/pamdrive
	@bash tests/demo.sh $(BUILD)

bench: deps all test-bins
	@bash tests/bench/run.sh $(BUILD)

man-check:
	@bash tests/man-check.sh

format-check:
	@bash tests/format-check.sh

po-check:
	@bash tests/po-check.sh

install: all
	@test "$(PAMDIR)" != . && test -n "$(PAMDIR)" || \
	    { echo "no PAM module directory found; set PAMDIR" >&2; exit 1; }
	@test "$(NSSDIR)" != . && test -n "$(NSSDIR)" || \
	    { echo "no NSS module directory found; set NSSDIR" >&2; exit 1; }
	install -d $(DESTDIR)$(PAMDIR) $(DESTDIR)$(NSSDIR) $(DESTDIR)$(SBINDIR) \
	    $(DESTDIR)$(PAMCONFIGDIR) \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR)/pam.d \
	    $(DESTDIR)$(DOCDIR)/sshd_config.d $(DESTDIR)$(SYSCONFDIR)
	install -m 0644 $(BUILD)/pam_oidc.so $(DESTDIR)$(PAMDIR)/pam_oidc.so
	install -m 0644 $(BUILD)/libnss_oidc.so.2 \
	    $(DESTDIR)$(NSSDIR)/libnss_oidc.so.2
	install -m 0755 $(BUILD)/pam-oidc $(DESTDIR)$(SBINDIR)/pam-oidc
	install -m 0644 pam_oidc/pam_oidc.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 pam_oidc/pam_oidc.conf.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 helper/pam-oidc.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md
	install -m 0644 pam_oidc/libnss_oidc.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 conf/examples/* $(DESTDIR)$(DOCDIR)/examples/
	install -m 0644 conf/pam.d/README.md conf/pam.d/*.snippet \
	    $(DESTDIR)$(DOCDIR)/pam.d/
	install -m 0644 conf/sshd_config.d/pam_oidc.conf \
	    $(DESTDIR)$(DOCDIR)/sshd_config.d/
	install -m 0644 conf/pam-configs/oidc conf/pam-configs/oidc-only \
	    $(DESTDIR)$(PAMCONFIGDIR)/
	for l in $(LINGUAS); do \
	    install -d $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES && \
	    install -m 0644 $(BUILD)/locale/$$l/LC_MESSAGES/pam_oidc.mo \
	        $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/pam_oidc.mo || exit 1; \
	done
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/pam_oidc.conf ]; then \
	    echo "keeping existing $(DESTDIR)$(SYSCONFDIR)/pam_oidc.conf"; \
	else \
	    install -m 0600 conf/pam_oidc.conf \
	        $(DESTDIR)$(SYSCONFDIR)/pam_oidc.conf; \
	fi

uninstall:
	rm -f $(DESTDIR)$(PAMDIR)/pam_oidc.so $(DESTDIR)$(SBINDIR)/pam-oidc \
	    $(DESTDIR)$(NSSDIR)/libnss_oidc.so.2 \
	    $(DESTDIR)$(MANDIR)/man8/libnss_oidc.8 \
	    $(DESTDIR)$(MANDIR)/man8/pam_oidc.8 \
	    $(DESTDIR)$(MANDIR)/man5/pam_oidc.conf.5 \
	    $(DESTDIR)$(MANDIR)/man8/pam-oidc.8 $(DESTDIR)$(PAMCONFIGDIR)/oidc \
	    $(DESTDIR)$(PAMCONFIGDIR)/oidc-only
	for l in $(LINGUAS); do \
	    rm -f $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/pam_oidc.mo; \
	done
	rm -rf $(DESTDIR)$(DOCDIR)
	@echo "left $(DESTDIR)$(SYSCONFDIR)/pam_oidc.conf in place"
	@echo "left /var/lib/pam_oidc (the registered people) in place"

# The Debian package, in build-deb/: built from a copy of the tree, checked
# by lintian, then (as root) installed, used for one login and purged.
.PHONY: deb
deb: deps $(BUILD)/pamdrive
	@bash tests/deb/build.sh build-deb
	@bash tests/deb/run.sh build-deb $(BUILD)

print-pamdir:
	@echo $(PAMDIR)

print-nssdir:
	@echo $(NSSDIR)

clean:
	rm -rf build build-asan build-tsan build-deb $(FUZZ_BUILD)

.PHONY: fuzz fuzz-bins test-bins tsan-bins lint e2e all deps unit check asan demo bench \
	man-check format-check po-check pot install \
	uninstall print-pamdir print-nssdir clean
