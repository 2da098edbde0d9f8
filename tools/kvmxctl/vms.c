// SPDX-License-Identifier: GPL-2.0
/*
 * Finding the VMs of a host and attaching to them.
 *
 * A VM is an anon_inode:kvm-vm file descriptor of some process (its VMM),
 * found under /proc/PID/fd. kvmxctl takes a copy of that descriptor with
 * pidfd_getfd(), which needs ptrace rights over the VMM, and attaches a
 * kvmx session to it. A VM is named by its VMM's guest name: QEMU's
 * -name NAME or -name guest=NAME,... (libvirt's form), else the VMM's
 * process name.
 *
 * A session keeps the VM alive (it holds a reference on the struct kvm),
 * so whoever keeps one must let go when the VMM closes the VM, not only
 * when the VMM exits: vm_still_open() tells, with kcmp(KCMP_FILE).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/kcmp.h>
#include <linux/kvmx.h>
#include "kvmxctl.h"

#ifndef SYS_kcmp
#define SYS_kcmp 312
#endif

static bool is_vm_fd(const char *dir, const char *fd)
{
	char path[PATH_MAX], link[32];
	ssize_t len;

	snprintf(path, sizeof(path), "%s/%s", dir, fd);
	len = readlink(path, link, sizeof(link) - 1);
	if (len < 0)
		return false;
	link[len] = 0;
	return !strcmp(link, "anon_inode:kvm-vm");
}

/* The fd numbers of PID's KVM VMs, up to @max; returns how many there are. */
int find_vm_fds(pid_t pid, int *fds, int max)
{
	struct dirent *de;
	char dir[64];
	int n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !is_vm_fd(dir, de->d_name))
			continue;
		if (n < max)
			fds[n] = atoi(de->d_name);
		n++;
	}
	closedir(d);
	return n;
}

/*
 * The fd number in @pid of its VM: @vm_fd checked, or its only VM if -1.
 * -1 (the reason printed) if there is none, or several and no @vm_fd.
 */
int pick_vm_fd(pid_t pid, int vm_fd)
{
	int fds[MAX_VMS_PER_PROC], n, i;
	char pidstr[16];

	snprintf(pidstr, sizeof(pidstr), "%d", pid);
	n = find_vm_fds(pid, fds, MAX_VMS_PER_PROC);
	if (n == -EACCES || n == -EPERM)
		return die_err(-n, "cannot read /proc/%s/fd (needs ptrace rights over it)",
			       pidstr), -1;
	if (n < 0)
		return die_err(-n, "no process %s", pidstr), -1;
	if (!n)
		return die("process %s has no KVM VM", pidstr), -1;
	if (vm_fd < 0 && n > 1) {
		fprintf(stderr, "kvmxctl: process %d has %d VMs; pick one with --vm-fd:", pid, n);
		for (i = 0; i < n && i < MAX_VMS_PER_PROC; i++)
			fprintf(stderr, " %d", fds[i]);
		fputc('\n', stderr);
		return -1;
	}
	if (vm_fd < 0)
		return fds[0];
	for (i = 0; i < n && i < MAX_VMS_PER_PROC && fds[i] != vm_fd; i++)
		;
	if (i == n || i == MAX_VMS_PER_PROC) {
		fprintf(stderr, "kvmxctl: fd %d of process %d is not a KVM VM\n", vm_fd, pid);
		return -1;
	}
	return vm_fd;
}

/* Read /proc/PID/FILE into @buf (NUL-terminated); its length or -1. */
static ssize_t read_proc(long pid, const char *file, char *buf, size_t n)
{
	char path[64];
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/%s", pid, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = read(fd, buf, n - 1);
	close(fd);
	if (len < 0)
		return -1;
	buf[len] = 0;
	return len;
}

/* The guest name in QEMU's -name argument @v: "NAME[,...]" or "...,guest=NAME,..." */
static void qemu_name(const char *v, char *out, size_t n)
{
	const char *p = v, *end;

	for (;;) {
		end = strchrnul(p, ',');
		if (!strncmp(p, "guest=", 6)) {
			p += 6;
			break;
		}
		if (p == v && !memchr(p, '=', end - p))
			break;
		if (!*end) {
			p = NULL;
			break;
		}
		p = end + 1;
	}
	if (!p)
		return;
	end = strchrnul(p, ',');
	snprintf(out, n, "%.*s", (int)(end - p), p);
}

/* @pid's guest name, or its process name (comm) */
void vm_name(long pid, char *out, size_t n)
{
	static char cmdline[8192];
	ssize_t len;
	char *a;

	out[0] = 0;
	len = read_proc(pid, "cmdline", cmdline, sizeof(cmdline));
	for (a = cmdline; len > 0 && a < cmdline + len; a += strlen(a) + 1) {
		char *next = a + strlen(a) + 1;

		if ((!strcmp(a, "-name") || !strcmp(a, "--name")) && next < cmdline + len)
			qemu_name(next, out, n);
	}
	if (!out[0] && read_proc(pid, "comm", out, n) <= 0)
		snprintf(out, n, "?");
	out[strcspn(out, "\n")] = 0;
	/* any process may name itself: nothing a terminal would act on */
	for (a = out; *a; a++)
		if ((unsigned char)*a < 0x20 || *a == 0x7f)
			*a = '?';
}

/*
 * Every VM on the host (of processes other than kvmxctl), named; those of
 * guest @guest only if not NULL. *@out is malloc'd. @unreadable counts the
 * processes whose fds could not be read. Returns how many, or -1.
 */
int list_vms(const char *guest, struct vm_ref **out, int *unreadable)
{
	struct vm_ref *v = NULL;
	struct dirent *de;
	int n = 0, cap = 0;
	DIR *proc;

	*unreadable = 0;
	proc = opendir("/proc");
	if (!proc)
		return die_err(errno, "/proc"), -1;
	while ((de = readdir(proc))) {
		int fds[MAX_VMS_PER_PROC], nr, i;
		char comm[32];
		long pid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = atol(de->d_name);
		if (pid == getpid())
			continue;
		/* kvmxctl's holders and exporters keep copies of VM fds */
		if (read_proc(pid, "comm", comm, sizeof(comm)) > 0 && !strcmp(comm, "kvmxctl\n"))
			continue;
		nr = find_vm_fds(pid, fds, MAX_VMS_PER_PROC);
		if (nr == -EACCES || nr == -EPERM)
			(*unreadable)++;
		for (i = 0; i < nr && i < MAX_VMS_PER_PROC; i++) {
			struct vm_ref *r;

			if (n == cap) {
				cap = cap ? 2 * cap : 8;
				r = realloc(v, cap * sizeof(*v));
				if (!r) {
					free(v);
					closedir(proc);
					return die("out of memory"), -1;
				}
				v = r;
			}
			r = &v[n];
			*r = (struct vm_ref){ .pid = pid, .fd = fds[i], .nr_in_proc = nr };
			vm_name(pid, r->name, sizeof(r->name));
			if (guest && strcmp(guest, r->name))
				continue;
			n++;
		}
	}
	closedir(proc);
	*out = v;
	return n;
}

/* "NAME (pid P)" or "NAME (pid P, fd F)" */
const char *vm_label(const struct vm_ref *r)
{
	static char buf[128];

	if (r->nr_in_proc > 1)
		snprintf(buf, sizeof(buf), "%s (pid %ld, fd %d)", r->name, r->pid, r->fd);
	else
		snprintf(buf, sizeof(buf), "%s (pid %ld)", r->name, r->pid);
	return buf;
}

/*
 * A copy of VM fd @vm_fd of @pid; -1 (the reason printed, naming @who) if
 * it cannot be had.
 */
static int take_vm(long pid, int vm_fd, const char *who)
{
	int pidfd, local;

	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return die_err(errno, "%s: pidfd_open", who), -1;
	local = syscall(SYS_pidfd_getfd, pidfd, vm_fd, 0);
	close(pidfd);
	if (local < 0)
		return die_err(errno, "%s: cannot take the VM fd (needs ptrace rights)", who), -1;
	return local;
}

/*
 * A new session on VM fd @vm_fd of @pid (not checked: pick_vm_fd() or
 * list_vms() found it). With @vm_copy, the copy of the VM fd is kept there
 * for vm_still_open(); else it is closed. @who names the VM in messages.
 */
int attach_vm(long pid, int vm_fd, const char *who, int *vm_copy)
{
	struct kvmx_attach_vm arg = { .argsz = sizeof(arg) };
	int local, kvmx, s;

	local = take_vm(pid, vm_fd, who);
	if (local < 0)
		return -1;
	kvmx = open_kvmx();
	if (kvmx < 0) {
		close(local);
		return -1;
	}
	arg.vm_fd = local;
	s = ioctl(kvmx, KVMX_ATTACH_VM, &arg);
	if (s < 0)
		die_err(errno, "%s: KVMX_ATTACH_VM", who);
	close(kvmx);
	if (vm_copy && s >= 0)
		*vm_copy = local;
	else
		close(local);
	return s;
}

/* A new session on the VM of @pid (its fd @vm_fd, or its only VM if -1). */
int attach_pid(pid_t pid, int vm_fd)
{
	char who[32];

	vm_fd = pick_vm_fd(pid, vm_fd);
	if (vm_fd < 0)
		return -1;
	snprintf(who, sizeof(who), "process %d", pid);
	return attach_vm(pid, vm_fd, who, NULL);
}

/*
 * Does @pid still have the VM whose copy is our fd @vm_copy open as its fd
 * @vm_fd? kcmp(KCMP_FILE) compares the two files (EBADF: @vm_fd is closed);
 * where kcmp cannot tell (a kernel without it), an fd of that number that
 * is some VM is taken for it.
 */
bool vm_still_open(long pid, int vm_fd, int vm_copy)
{
	char dir[64], fd[16];
	long r;

	r = syscall(SYS_kcmp, getpid(), pid, KCMP_FILE, vm_copy, vm_fd);
	if (r >= 0)
		return r == 0;
	if (errno == EBADF)
		return false;
	snprintf(dir, sizeof(dir), "/proc/%ld/fd", pid);
	snprintf(fd, sizeof(fd), "%d", vm_fd);
	return is_vm_fd(dir, fd);
}
