# make install / make uninstall.
#
#   make install PREFIX=/opt/lindperf            (PREFIX is /usr/local by default)
#   make install DESTDIR=/tmp/stage PREFIX=/usr  (packagers: files land under DESTDIR, but
#                                                 lindperf.pc still says /usr)
#
# Installs the header, a pkg-config file, a CMake package (INTERFACE target
# lindperf::lindperf), the two tools and the lindperf(3) man page. uninstall removes
# exactly these files, then the directories that install created, when they are empty:
# install lists them (paths without DESTDIR) in share/lindperf/directories.

.PHONY: install uninstall

PREFIX ?= /usr/local
# The version is written once, in the header; everything installed takes it from there.
LINDPERF_VERSION := $(shell sed -n 's/^\#define LINDPERF_VERSION "\(.*\)"/\1/p' $(HEADER))
MANDIR ?= $(PREFIX)/share/man

INSTALL_ROOT = $(DESTDIR)$(PREFIX)
INSTALL_MAN  = $(DESTDIR)$(MANDIR)
CMAKE_DIR    = lib/cmake/lindperf
INSTALLED    = include/lindperf.h lib/pkgconfig/lindperf.pc \
               $(CMAKE_DIR)/lindperfConfig.cmake $(CMAKE_DIR)/lindperfConfigVersion.cmake \
               bin/lindperf-compare bin/lindperf-plot
INSTALL_DIRS = $(addprefix $(PREFIX)/,include lib/pkgconfig $(CMAKE_DIR) bin share/lindperf) \
               $(MANDIR)/man3
# The record of the directories install made, so that uninstall removes those and no other.
DIRS_RECORD  = $(INSTALL_ROOT)/share/lindperf/directories

# @PREFIX@ and @VERSION@ in packaging/*.in. The prefix is made absolute, because
# pkg-config hands it to compilers that run in other directories.
SUBSTITUTE = sed -e 's|@PREFIX@|$(abspath $(PREFIX))|g' -e 's|@VERSION@|$(LINDPERF_VERSION)|g'

install: $(TOOLS)
	@test -n "$(LINDPERF_VERSION)" || { echo "lindperf: no LINDPERF_VERSION in $(HEADER);" \
	    "is the header complete?" >&2; exit 1; }
	@made=$$(for d in $(INSTALL_DIRS); do \
	    while [ "$$d" != / ] && [ ! -d "$(DESTDIR)$$d" ]; do echo "$$d"; d=$$(dirname "$$d"); \
	    done; done); \
	install -d $(addprefix $(DESTDIR),$(INSTALL_DIRS)) && \
	{ [ ! -f $(DIRS_RECORD) ] || cat $(DIRS_RECORD); echo "$$made"; } | grep . | \
	    LC_ALL=C sort -ru >$(DIRS_RECORD).new && mv $(DIRS_RECORD).new $(DIRS_RECORD)
	install -m 644 $(HEADER) $(INSTALL_ROOT)/include/lindperf.h
	$(SUBSTITUTE) packaging/lindperf.pc.in >$(INSTALL_ROOT)/lib/pkgconfig/lindperf.pc
	install -m 644 packaging/lindperfConfig.cmake \
	    $(INSTALL_ROOT)/$(CMAKE_DIR)/lindperfConfig.cmake
	$(SUBSTITUTE) packaging/lindperfConfigVersion.cmake.in \
	    >$(INSTALL_ROOT)/$(CMAKE_DIR)/lindperfConfigVersion.cmake
	install -m 755 $(TOOLS) $(INSTALL_ROOT)/bin
	$(SUBSTITUTE) packaging/lindperf.3.in >$(INSTALL_MAN)/man3/lindperf.3
	chmod 644 $(INSTALL_ROOT)/lib/pkgconfig/lindperf.pc \
	    $(INSTALL_ROOT)/$(CMAKE_DIR)/lindperfConfigVersion.cmake $(INSTALL_MAN)/man3/lindperf.3

# Deepest first: the record is sorted in reverse, so a folder comes before its parent.
uninstall:
	rm -f $(addprefix $(INSTALL_ROOT)/,$(INSTALLED)) $(INSTALL_MAN)/man3/lindperf.3
	rmdir $(INSTALL_ROOT)/$(CMAKE_DIR) 2>/dev/null || true
	@if [ -f $(DIRS_RECORD) ]; then \
	    made=$$(cat $(DIRS_RECORD)); rm -f $(DIRS_RECORD); \
	    printf '%s\n' "$$made" | while IFS= read -r d; do \
	        rmdir "$(DESTDIR)$$d" 2>/dev/null || true; done; fi
