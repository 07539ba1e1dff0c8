/*
 * io_fault_shim.so: a test-only LD_PRELOAD shim that makes the store's disk
 * fail on demand, while the daemon runs, so a test can turn a fault on and
 * off without restarting it.
 *
 * Why a shim: tests run as root in CI (chmod stops nothing), with no Docker
 * and no guarantee that a small filesystem can be mounted, so disk full and
 * a read-only store are simulated where SQLite meets the kernel.
 *
 * Environment (read once, when the shim is loaded):
 *   USSDGW_FAULT_PREFIX   files whose path starts with this are watched
 *                         (give the absolute store path: SQLite opens the
 *                         store, its -wal and its -shm by absolute path)
 *   USSDGW_FAULT_CONTROL  the control file. While it exists and its first
 *                         word is ENOSPC, EROFS or EIO, every write to a
 *                         watched file fails with that errno; absent, empty
 *                         or anything else: no fault.
 *
 * What fails: write, pwrite, pwrite64, ftruncate, ftruncate64, fsync and
 * fdatasync on a watched descriptor (SQLite 3.40 on Debian imports pwrite64,
 * write, fdatasync and ftruncate64; the rest are here so another build of it
 * is caught too). Under EROFS, opening a watched path for writing (O_WRONLY,
 * O_RDWR, O_CREAT or O_TRUNC) fails as well, as on a read-only mount; reads
 * are never touched. Descriptors are remembered by number (up to 65536)
 * from the open that returned them until their close; a relative path
 * opened with openat and a directory descriptor is not watched.
 *
 * Every real call is the next definition (dlsym RTLD_NEXT), so an ASan
 * daemon's interceptors still see them; ASan must then be told not to
 * insist on coming first (ASAN_OPTIONS=verify_asan_link_order=0, which the
 * integration harness adds whenever it preloads something).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#define MAX_FDS 65536

/* Watched descriptors: 1 from a watched path's open until its close. Any
 * thread may open or close, so each slot is read and written atomically. */
static unsigned char watched[MAX_FDS];

static char prefix[4096];
static size_t prefix_len;
static char control[4096];

typedef int (*open_fn)(const char*, int, ...);
typedef int (*openat_fn)(int, const char*, int, ...);
typedef ssize_t (*write_fn)(int, const void*, size_t);
typedef ssize_t (*pwrite_fn)(int, const void*, size_t, off_t);
typedef ssize_t (*pwrite64_fn)(int, const void*, size_t, off64_t);
typedef int (*fd_fn)(int);
typedef int (*ftruncate_fn)(int, off_t);
typedef int (*ftruncate64_fn)(int, off64_t);

/* The next definition of `name`. ISO C has no cast from an object pointer
 * to a function pointer, so the address is copied into `slot` instead; a
 * slot is resolved again by whichever thread finds it empty, which is
 * harmless (every thread finds the same address). */
static void resolve(void* slot, const char* name) {
    void* p;
    __atomic_load(&((void**)slot)[0], &p, __ATOMIC_ACQUIRE);
    if (p) return;
    p = dlsym(RTLD_NEXT, name);
    __atomic_store(&((void**)slot)[0], &p, __ATOMIC_RELEASE);
}

static open_fn real_open, real_open64;
static openat_fn real_openat, real_openat64;
static write_fn real_write;
static pwrite_fn real_pwrite;
static pwrite64_fn real_pwrite64;
static fd_fn real_close, real_fsync, real_fdatasync;
static ftruncate_fn real_ftruncate;
static ftruncate64_fn real_ftruncate64;

#define REAL(name) (resolve(&real_##name, #name), real_##name)

static void copy_env(const char* name, char* to, size_t size) {
    const char* v = getenv(name);
    if (!v || strlen(v) >= size) return;
    strcpy(to, v);
}

__attribute__((constructor)) static void shim_init(void) {
    copy_env("USSDGW_FAULT_PREFIX", prefix, sizeof prefix);
    copy_env("USSDGW_FAULT_CONTROL", control, sizeof control);
    prefix_len = strlen(prefix);
}

/* The errno the control file asks for, or 0. Read with raw system calls on
 * every watched operation: the shim must not intercept itself, and a test
 * expects the very next write to see the change. */
static int fault_now(void) {
    if (!control[0]) return 0;
    int fd = (int)syscall(SYS_openat, AT_FDCWD, control, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    char buf[32] = {0};
    long n = syscall(SYS_read, fd, buf, sizeof buf - 1);
    syscall(SYS_close, fd);
    if (n <= 0) return 0;
    buf[strcspn(buf, " \t\r\n")] = '\0';
    if (strcmp(buf, "ENOSPC") == 0) return ENOSPC;
    if (strcmp(buf, "EROFS") == 0) return EROFS;
    if (strcmp(buf, "EIO") == 0) return EIO;
    return 0;
}

static int is_watched_path(const char* path) {
    return prefix_len > 0 && path && strncmp(path, prefix, prefix_len) == 0;
}

static int is_watched_fd(int fd) {
    return fd >= 0 && fd < MAX_FDS && __atomic_load_n(&watched[fd], __ATOMIC_ACQUIRE);
}

static void mark(int fd, unsigned char on) {
    if (fd >= 0 && fd < MAX_FDS) __atomic_store_n(&watched[fd], on, __ATOMIC_RELEASE);
}

/* -1 with errno set when the fault applies to this descriptor, else 0. */
static int fail_fd(int fd) {
    if (!is_watched_fd(fd)) return 0;
    int e = fault_now();
    if (!e) return 0;
    errno = e;
    return -1;
}

/* An open for writing on a read-only mount fails with EROFS; the other
 * faults do not stop an open (a full disk still opens existing files). */
static int fail_open(const char* path, int flags) {
    if (!is_watched_path(path)) return 0;
    if (!(flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC))) return 0;
    if (fault_now() != EROFS) return 0;
    errno = EROFS;
    return -1;
}

static int opened(const char* path, int fd) {
    if (fd >= 0) mark(fd, (unsigned char)is_watched_path(path));
    return fd;
}

static mode_t mode_arg(int flags, va_list ap) {
    return (flags & (O_CREAT | __O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

int open(const char* path, int flags, ...) {
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    if (fail_open(path, flags)) return -1;
    return opened(path, REAL(open)(path, flags, mode));
}

int open64(const char* path, int flags, ...) {
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    if (fail_open(path, flags)) return -1;
    return opened(path, REAL(open64)(path, flags, mode));
}

int openat(int dirfd, const char* path, int flags, ...) {
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    if (fail_open(path, flags)) return -1;
    return opened(path, REAL(openat)(dirfd, path, flags, mode));
}

int openat64(int dirfd, const char* path, int flags, ...) {
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    if (fail_open(path, flags)) return -1;
    return opened(path, REAL(openat64)(dirfd, path, flags, mode));
}

int close(int fd) {
    /* Forgotten first: once closed, the number may be reused by any thread. */
    mark(fd, 0);
    return REAL(close)(fd);
}

ssize_t write(int fd, const void* buf, size_t n) {
    if (fail_fd(fd)) return -1;
    return REAL(write)(fd, buf, n);
}

ssize_t pwrite(int fd, const void* buf, size_t n, off_t off) {
    if (fail_fd(fd)) return -1;
    return REAL(pwrite)(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void* buf, size_t n, off64_t off) {
    if (fail_fd(fd)) return -1;
    return REAL(pwrite64)(fd, buf, n, off);
}

int ftruncate(int fd, off_t len) {
    if (fail_fd(fd)) return -1;
    return REAL(ftruncate)(fd, len);
}

int ftruncate64(int fd, off64_t len) {
    if (fail_fd(fd)) return -1;
    return REAL(ftruncate64)(fd, len);
}

int fsync(int fd) {
    if (fail_fd(fd)) return -1;
    return REAL(fsync)(fd);
}

int fdatasync(int fd) {
    if (fail_fd(fd)) return -1;
    return REAL(fdatasync)(fd);
}
