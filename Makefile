# pam_oidc: make all | check | demo | bench | asan | fuzz | lint | e2e |
# install | uninstall | clean | format-check

CC	?= cc
BUILD	?= build
PREFIX	?= /usr
SBINDIR	?= $(PREFIX)/sbin
MANDIR	?= $(PREFIX)/share/man
DOCDIR	?= $(PREFIX)/share/doc/pam_oidc
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
CPPFLAGS += -D_GNU_SOURCE -Ipam_oidc
LDFLAGS	+= -Wl,-z,relro,-z,now $(SAN)
LIBS	 = -lcurl -ljansson -lcrypto -lqrencode

CORE	 = oidc log names strlist buf safefile config b64url json sanitize qr http cache session \
	   etcgroup account groups host message \
	   localids regpolicy regfile regalloc registry home \
	   discovery device_flow jwks jwt claims roles display \
	   provider interrupt login
CORE_O	 = $(CORE:%=$(BUILD)/%.o)
MOD_O	 = $(BUILD)/pam_oidc.o $(BUILD)/handle.o
# The NSS module links only the registry and what it needs: libc alone.
NSS_O	 = $(BUILD)/nss_oidc.o $(BUILD)/registry.o $(BUILD)/regfile.o \
	   $(BUILD)/regalloc.o \
	   $(BUILD)/regpolicy.o $(BUILD)/localids.o $(BUILD)/names.o \
	   $(BUILD)/safefile.o $(BUILD)/oidc.o
UNIT	 = $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))

all: $(BUILD)/pam_oidc.so $(BUILD)/libnss_oidc.so.2 $(BUILD)/pam-oidc

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

$(BUILD)/unit/%: tests/unit/%.c tests/unit/*.h $(BUILD)/libcore.a
	@mkdir -p $(BUILD)/unit
	$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) -Wno-unused-parameter \
	    $(LDFLAGS) -o $@ $< $(BUILD)/libcore.a $(LIBS) -lcmocka

$(BUILD)/pamdrive: tests/integration/pamdrive.c
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< -lpam

$(BUILD)/nssdrive: tests/integration/nssdrive.c
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< -ldl -lpthread

deps:
	@bash tests/deps.sh

unit: $(UNIT:%=$(BUILD)/unit/%)
	@bash tests/unit/run.sh $(BUILD)/unit $(UNIT)

# Unit tests, man pages and format first; then lint, integration, end to
# end, allocation failure, 1000 cycles and the fuzz regressions, each run
# to its end (tests/check.sh prints a summary).
check: deps all $(BUILD)/pamdrive $(BUILD)/nssdrive unit man-check format-check
	@bash tests/check.sh $(BUILD)

FUZZ_SECONDS ?= 60
# Each libFuzzer target for FUZZ_SECONDS under ASan and UBSan.
fuzz: deps
	@bash tests/fuzz/run.sh $(FUZZ_SECONDS) build-fuzz

lint: deps
	@bash tests/lint.sh

e2e: deps all
	@bash tests/e2e/run.sh $(BUILD)

# The unit and integration suites again under ASan and UBSan.
asan:
	$(MAKE) BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
	    SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" \
	    all build-asan/pamdrive build-asan/nssdrive unit
	ASAN_PRELOAD="$$($(CC) -print-file-name=libasan.so)" \
	    ASAN_OPTIONS=detect_leaks=1 bash tests/integration/run.sh build-asan

demo: deps all $(BUILD)/pamdrive
	@bash tests/demo.sh $(BUILD)

bench: deps all $(BUILD)/pamdrive
	@bash tests/bench/run.sh $(BUILD)

man-check:
	@bash tests/man-check.sh

format-check:
	@bash tests/format-check.sh

install: all
	@test "$(PAMDIR)" != . && test -n "$(PAMDIR)" || \
	    { echo "no PAM module directory found; set PAMDIR" >&2; exit 1; }
	@test "$(NSSDIR)" != . && test -n "$(NSSDIR)" || \
	    { echo "no NSS module directory found; set NSSDIR" >&2; exit 1; }
	install -d $(DESTDIR)$(PAMDIR) $(DESTDIR)$(NSSDIR) $(DESTDIR)$(SBINDIR) \
	    $(DESTDIR)$(PAMCONFIGDIR) \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(SYSCONFDIR)
	install -m 0644 $(BUILD)/pam_oidc.so $(DESTDIR)$(PAMDIR)/pam_oidc.so
	install -m 0644 $(BUILD)/libnss_oidc.so.2 \
	    $(DESTDIR)$(NSSDIR)/libnss_oidc.so.2
	install -m 0755 $(BUILD)/pam-oidc $(DESTDIR)$(SBINDIR)/pam-oidc
	install -m 0644 pam_oidc/pam_oidc.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 pam_oidc/pam_oidc.conf.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 helper/pam-oidc.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 pam_oidc/libnss_oidc.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 conf/examples/* $(DESTDIR)$(DOCDIR)/examples/
	install -m 0644 conf/pam-configs/oidc $(DESTDIR)$(PAMCONFIGDIR)/oidc
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
	    $(DESTDIR)$(MANDIR)/man8/pam-oidc.8 $(DESTDIR)$(PAMCONFIGDIR)/oidc
	rm -rf $(DESTDIR)$(DOCDIR)
	@echo "left $(DESTDIR)$(SYSCONFDIR)/pam_oidc.conf in place"
	@echo "left /var/lib/pam_oidc (the registered people) in place"

print-pamdir:
	@echo $(PAMDIR)

print-nssdir:
	@echo $(NSSDIR)

clean:
	rm -rf build build-asan build-fuzz

.PHONY: fuzz lint e2e all deps unit check asan demo bench man-check format-check install \
	uninstall print-pamdir print-nssdir clean
