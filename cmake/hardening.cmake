# Debian's hardening flags (what dpkg-buildflags gives with hardening=+all),
# for every build but the sanitized and fuzzing ones: tuner runs as root and
# reads files that may be hostile. Included from the top CMakeLists.txt, after
# the warning and sanitizer options.
#
#   -D_FORTIFY_SOURCE=2       checked string and memory functions (glibc), in the
#                             optimised configurations only (it needs -O; the
#                             Debug one has -O0); kept as given when
#                             CMAKE_C_FLAGS (CFLAGS) already sets a level
#   -fstack-protector-strong  stack canaries
#   -fstack-clash-protection  stack probes (where the compiler has it)
#   -fcf-protection           CET (x86; where the compiler has it)
#   -Wformat -Werror=format-security
#   PIE                       -fPIE and -pie (CMP0083, check_pie_supported)
#   -Wl,-z,relro -Wl,-z,now   read-only relocations, bound at start-up
#
# TUNER_HARDEN=OFF leaves them out. With TUNER_SANITIZE or TUNER_FUZZ they are
# left out anyway: ASan replaces the checked functions with its own, and a
# fuzzer is never installed. tests/package checks that lintian finds none of
# its hardening-* tags in the .deb.
option(TUNER_HARDEN "Build with Debian's hardening flags (not with TUNER_SANITIZE or TUNER_FUZZ)" ON)

if(NOT TUNER_HARDEN OR TUNER_SANITIZE OR TUNER_FUZZ)
  if(TUNER_HARDEN)
    message(STATUS "tuner: hardening flags left out (a sanitized or fuzzing build)")
  endif()
  return()
endif()

include(CheckCCompilerFlag)
include(CheckPIESupported)

set(TN_HARDEN_FLAGS -fstack-protector-strong -Wformat -Werror=format-security)
foreach(flag -fstack-clash-protection -fcf-protection)
  string(MAKE_C_IDENTIFIER "TN_HAVE${flag}" var)
  check_c_compiler_flag(${flag} ${var})
  if(${var})
    list(APPEND TN_HARDEN_FLAGS ${flag})
  endif()
endforeach()
add_compile_options(${TN_HARDEN_FLAGS})

# Optimised configurations only; -U first: some compilers (Ubuntu's gcc)
# define a level of their own, and a second definition would be a warning.
if(NOT CMAKE_C_FLAGS MATCHES "_FORTIFY_SOURCE")
  add_compile_options("$<$<NOT:$<CONFIG:Debug>>:-U_FORTIFY_SOURCE;-D_FORTIFY_SOURCE=2>")
endif()

check_pie_supported(OUTPUT_VARIABLE TN_PIE_MSG LANGUAGES C)
if(NOT CMAKE_C_LINK_PIE_SUPPORTED)
  message(FATAL_ERROR "tuner: the linker cannot make a PIE (TUNER_HARDEN=OFF builds without): ${TN_PIE_MSG}")
endif()
set(CMAKE_POSITION_INDEPENDENT_CODE ON)

add_link_options(LINKER:-z,relro LINKER:-z,now)
