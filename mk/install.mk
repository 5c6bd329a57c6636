# make install / make uninstall.
#
#   make install PREFIX=/opt/lindperf            (PREFIX is /usr/local by default)
#   make install DESTDIR=/tmp/stage PREFIX=/usr  (packagers: files land under DESTDIR, but
#                                                 lindperf.pc still says /usr)
#
# Installs the header, a pkg-config file, a CMake package (INTERFACE target
# lindperf::lindperf), the two tools and the lindperf(3) man page. uninstall removes
# exactly these files and the lindperf CMake directory.

# The version is written once, in the header; everything installed takes it from there.
LINDPERF_VERSION := $(shell sed -n 's/^\#define LINDPERF_VERSION "\(.*\)"/\1/p' $(HEADER))
MANDIR ?= $(PREFIX)/share/man

INSTALL_ROOT = $(DESTDIR)$(PREFIX)
INSTALL_MAN  = $(DESTDIR)$(MANDIR)
CMAKE_DIR    = lib/cmake/lindperf
INSTALLED    = include/lindperf.h lib/pkgconfig/lindperf.pc \
               $(CMAKE_DIR)/lindperfConfig.cmake $(CMAKE_DIR)/lindperfConfigVersion.cmake \
               bin/lindperf-compare bin/lindperf-plot

# @PREFIX@ and @VERSION@ in packaging/*.in. The prefix is made absolute, because
# pkg-config hands it to compilers that run in other directories.
SUBSTITUTE = sed -e 's|@PREFIX@|$(abspath $(PREFIX))|g' -e 's|@VERSION@|$(LINDPERF_VERSION)|g'

install: $(TOOLS)
	@test -n "$(LINDPERF_VERSION)" || { echo "lindperf: no LINDPERF_VERSION in $(HEADER); is the header complete?" >&2; exit 1; }
	install -d $(INSTALL_ROOT)/include $(INSTALL_ROOT)/lib/pkgconfig $(INSTALL_ROOT)/$(CMAKE_DIR) \
	    $(INSTALL_ROOT)/bin $(INSTALL_MAN)/man3
	install -m 644 $(HEADER) $(INSTALL_ROOT)/include/lindperf.h
	$(SUBSTITUTE) packaging/lindperf.pc.in >$(INSTALL_ROOT)/lib/pkgconfig/lindperf.pc
	install -m 644 packaging/lindperfConfig.cmake $(INSTALL_ROOT)/$(CMAKE_DIR)/lindperfConfig.cmake
	$(SUBSTITUTE) packaging/lindperfConfigVersion.cmake.in >$(INSTALL_ROOT)/$(CMAKE_DIR)/lindperfConfigVersion.cmake
	install -m 755 $(TOOLS) $(INSTALL_ROOT)/bin
	$(SUBSTITUTE) packaging/lindperf.3.in >$(INSTALL_MAN)/man3/lindperf.3
	chmod 644 $(INSTALL_ROOT)/lib/pkgconfig/lindperf.pc \
	    $(INSTALL_ROOT)/$(CMAKE_DIR)/lindperfConfigVersion.cmake $(INSTALL_MAN)/man3/lindperf.3

uninstall:
	rm -f $(addprefix $(INSTALL_ROOT)/,$(INSTALLED)) $(INSTALL_MAN)/man3/lindperf.3
	rmdir $(INSTALL_ROOT)/$(CMAKE_DIR) 2>/dev/null || true
