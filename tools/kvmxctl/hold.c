// SPDX-License-Identifier: GPL-2.0
/*
 * Settings made from the command line (regions, the exit policy) belong to
 * a kvmx session and last as long as it. kvmxctl keeps one session per VM
 * open in a holder process: the first command that changes something starts
 * it, and it waits for the VMM to exit (a pidfd) or to close the VM (it
 * looks each second: a session keeps the VM alive, so a holder that missed
 * the close would keep a dead VM's memory), then closes the session.
 * Every later command on that VM takes a copy of the holder's session fd
 * with pidfd_getfd() and works on the same session: what it adds stays after
 * it returns, and it can remove what an earlier command added. The holder
 * is recorded in /run/kvmxctl/vm-<pid>-<vm fd> as "<holder pid> <fd>";
 * commands that may start it take turns on the flock of "<that>.lock", so
 * a VM never gets two.
 * `kvmxctl release --pid PID` stops it: its regions and policy go with it.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "kvmxctl.h"

#define HOLDER_DIR	"/run/kvmxctl"

static void holder_path(char *buf, size_t n, long pid, int vm_fd)
{
	snprintf(buf, n, HOLDER_DIR "/vm-%ld-%d", pid, vm_fd);
}

/* The live holder of @pid's VM @vm_fd: its pid, and its session fd in @fd. */
static long find_holder(long pid, int vm_fd, int *fd)
{
	char path[128];
	long h = -1;
	FILE *f;

	holder_path(path, sizeof(path), pid, vm_fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld %d", &h, fd) != 2 || h <= 1 || kill(h, 0))
		h = -1;
	fclose(f);
	return h;
}

/*
 * Become the holder of session @s on VM fd @vm_fd of @pid (our copy of it:
 * @vm_copy): never returns.
 */
static void hold(int s, int vmm, int ready, const char *path, long pid, int vm_fd,
		 int vm_copy)
{
	struct pollfd pfd = { .fd = vmm, .events = POLLIN };
	FILE *f;

	setsid();
	if (!freopen("/dev/null", "r", stdin) || !freopen("/dev/null", "w", stdout) ||
	    !freopen("/dev/null", "w", stderr))
		_exit(1);
	f = fopen(path, "w");
	if (!f)
		_exit(1);
	fprintf(f, "%d %d\n", getpid(), s);
	fclose(f);
	if (write(ready, "", 1) != 1)
		_exit(1);
	close(ready);
	/* the VMM's exit or its close of the VM, or SIGTERM from kvmxctl release */
	for (;;) {
		int r = poll(&pfd, 1, 1000);

		if (r > 0 || (r < 0 && errno != EINTR))
			break;
		if (!vm_still_open(pid, vm_fd, vm_copy))
			break;
	}
	unlink(path);
	_exit(0);
}

/*
 * A session fd on the VM of @pid shared with its holder (started if there
 * is none): what is done through it lasts until the VMM exits.
 */
static int take_held(long h, int fd)
{
	int pidfd = syscall(SYS_pidfd_open, h, 0);
	int s = pidfd < 0 ? -1 : syscall(SYS_pidfd_getfd, pidfd, fd, 0);

	if (pidfd >= 0)
		close(pidfd);
	if (s < 0)
		die_err(errno, "cannot take the session of kvmxctl holder");
	return s;
}

/*
 * Start the holder of session @s for @pid's VM @picked; -1 on failure.
 * @lock is not the holder's to keep.
 */
static int start_holder(int s, long pid, int picked, int lock, int vm_copy)
{
	int vmm, ready[2];
	char path[128], c;
	pid_t child;

	vmm = syscall(SYS_pidfd_open, pid, 0);
	if (vmm < 0 || pipe(ready))
		return die_err(errno, "cannot watch the VMM"), -1;
	holder_path(path, sizeof(path), pid, picked);
	child = fork();
	if (child < 0)
		return die_err(errno, "fork"), -1;
	if (!child) {
		close(lock);
		close(ready[0]);
		hold(s, vmm, ready[1], path, pid, picked, vm_copy);
	}
	close(ready[1]);
	close(vmm);
	if (read(ready[0], &c, 1) != 1)
		return die("the kvmxctl holder did not start"), -1;
	close(ready[0]);
	return 0;
}

int held_session(long pid, long vm_fd)
{
	int picked, fd, s, lock;
	char path[160];
	long h;

	picked = pick_vm_fd(pid, vm_fd);
	if (picked < 0)
		return -1;
	/* one holder per VM: commands racing to start it take turns */
	mkdir("/run", 0755);		/* a bare initramfs has none */
	mkdir(HOLDER_DIR, 0755);
	holder_path(path, sizeof(path) - 5, pid, picked);
	strcat(path, ".lock");
	lock = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock < 0 || flock(lock, LOCK_EX))
		return die_err(errno, "cannot lock %s", path), -1;
	h = find_holder(pid, picked, &fd);
	if (h > 0) {
		s = take_held(h, fd);
	} else {
		char who[32];
		int copy = -1;

		snprintf(who, sizeof(who), "process %ld", pid);
		s = attach_vm(pid, picked, who, &copy);
		if (s >= 0 && start_holder(s, pid, picked, lock, copy)) {
			close(s);
			s = -1;
		}
		if (copy >= 0)
			close(copy);
	}
	close(lock);
	/* the same open session as the holder's: it stays when we exit */
	return s;
}

/* The holder's session if there is one, else a new session of our own. */
int held_session_if_any(long pid, long vm_fd)
{
	int picked, fd;

	picked = pick_vm_fd(pid, vm_fd);
	if (picked < 0)
		return -1;
	if (find_holder(pid, picked, &fd) > 0)
		return held_session(pid, picked);
	return attach_pid(pid, picked);
}

/* kvmxctl release --pid PID [--vm-fd FD]: stop the holder of the VM. */
int cmd_release(int argc, char **argv)
{
	struct pollfd pfd = { .events = POLLIN };
	struct target t;
	int picked, fd, ret;
	char path[128];
	long pid, h;

	ret = parse_opts("release", argc, argv, &t, NULL, NULL, NULL);
	if (ret)
		return ret;
	pid = t.pid;
	picked = pick_vm_fd(pid, t.vm_fd);
	if (picked < 0)
		return 1;
	h = find_holder(pid, picked, &fd);
	if (h < 0) {
		fprintf(stderr, "kvmxctl: kvmxctl holds nothing on process %ld\n", pid);
		return 1;
	}
	pfd.fd = syscall(SYS_pidfd_open, h, 0);
	kill(h, SIGTERM);
	/* the holder's exit closes the session: its regions and policy go */
	if (pfd.fd >= 0)
		while (poll(&pfd, 1, 5000) < 0 && errno == EINTR)
			;
	holder_path(path, sizeof(path), pid, picked);
	unlink(path);
	printf("released: what kvmxctl set on process %ld is gone\n", pid);
	return 0;
}
