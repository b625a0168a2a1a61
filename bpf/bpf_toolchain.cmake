# Finds what the XDP programs and the AF_XDP source need. Included by bpf/ and by
# dataplane/src/sources/afxdp/ and dataplane/src/tools/ (configured first); sets SECURENET_BPF_OK.
if(NOT DEFINED SECURENET_BPF_CHECKED)
  set(SECURENET_BPF_CHECKED TRUE)
  find_program(SECURENET_BPF_CLANG NAMES clang clang-16 clang-15 clang-14)
  find_program(SECURENET_BPFTOOL bpftool PATHS /usr/sbin /sbin)
  pkg_check_modules(LIBBPF IMPORTED_TARGET GLOBAL libbpf)
  pkg_check_modules(LIBXDP IMPORTED_TARGET GLOBAL libxdp)
endif()
set(SECURENET_BPF_OK FALSE)
if(SECURENET_WITH_AFXDP AND SECURENET_BPF_CLANG AND SECURENET_BPFTOOL AND LIBBPF_FOUND AND LIBXDP_FOUND)
  set(SECURENET_BPF_OK TRUE)
endif()
