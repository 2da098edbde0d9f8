// SPDX-License-Identifier: GPL-2.0
/*
 * kvmxctl exporter: kvmx's counters of every VM of the host, for Prometheus.
 *
 * It keeps a session on each VM (so the counters accumulate from the moment
 * it attached), finds new VMs from KVM's uevents (kvm_uevent_notify_change()
 * sends EVENT=create with the VMM's PID on NETLINK_KOBJECT_UEVENT; the VM's
 * fd is installed just after, so the PID is looked at for a while), and lets
 * go of a VM when its VMM exits or closes it (a session would otherwise keep
 * the VM alive). It serves the text format over HTTP (GET /metrics) and/or
 * rewrites a textfile atomically (for node_exporter's textfile collector).
 *
 * Counters are monotonic for as long as it holds a VM: when another tool
 * resets the VM's counters (KVMX_RESET_STATS; since_ns moves), what it had
 * read before is added to all later reads. What happened between its last
 * read and the reset is lost, as with any counter reset.
 *
 * One thread: poll() on the listening socket, the uevent socket and each
 * VMM's pidfd. A client gets 2 s in all to send its request and 2 s to take
 * the answer, however slowly it trickles bytes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvmx.h>
#include "kvmxctl.h"

#define DEFAULT_LISTEN	"127.0.0.1:9848"
#define LOOK_MS		3000	/* how long a created VM's PID is looked at */
#define MAX_PENDING	64
#define MAX_FAILED	256
#define CLIENT_SECS	2
#define PROM_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

/* a VM the exporter holds */
struct xvm {
	struct vm_ref ref;
	int s;			/* the session */
	int vm_copy;		/* our copy of the VM fd, for vm_still_open() */
	int vmm;		/* the VMM's pidfd */
	unsigned long long since;	/* since_ns of the last read */
	struct prom_set last;	/* the last read, sorted */
	struct prom_set acc;	/* reads before resets, summed, sorted */
};

struct exporter {
	const char *guest, *textfile;
	long interval;
	struct sockaddr_in addr;
	bool http;
	int lsock, usock;
	struct xvm *vms;
	int nr, cap;
	/* PIDs of VMs KVM announced, looked at until their deadline */
	struct { long pid; double until; } pending[MAX_PENDING];
	int nr_pending;
	/* VMs that could not be attached: said once */
	struct { long pid; int fd; } failed[MAX_FAILED];
	int nr_failed;
};

static double mono_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static bool held(const struct exporter *x, long pid, int fd)
{
	int i;

	for (i = 0; i < x->nr; i++)
		if (x->vms[i].ref.pid == pid && x->vms[i].ref.fd == fd)
			return true;
	for (i = 0; i < x->nr_failed; i++)
		if (x->failed[i].pid == pid && x->failed[i].fd == fd)
			return true;
	return false;
}

static void hold_vm(struct exporter *x, const struct vm_ref *r)
{
	struct xvm *v;
	int copy = -1;

	if (held(x, r->pid, r->fd))
		return;
	if (x->nr == x->cap) {
		int cap = x->cap ? 2 * x->cap : 16;

		v = realloc(x->vms, cap * sizeof(*v));
		if (!v)
			return;
		x->vms = v;
		x->cap = cap;
	}
	v = &x->vms[x->nr];
	*v = (struct xvm){ .ref = *r, .vmm = -1 };
	v->s = attach_vm(r->pid, r->fd, vm_label(r), &copy);
	if (v->s >= 0)
		v->vmm = syscall(SYS_pidfd_open, r->pid, 0);
	if (v->s < 0 || v->vmm < 0) {
		if (v->s >= 0) {
			close(v->s);
			close(copy);
		}
		if (x->nr_failed < MAX_FAILED)
			x->failed[x->nr_failed++].pid = r->pid,
			x->failed[x->nr_failed - 1].fd = r->fd;
		return;
	}
	v->vm_copy = copy;
	v->since = read_since(v->s);
	x->nr++;
	fprintf(stderr, "kvmxctl exporter: + VM %s\n", vm_label(r));
}

static void drop_vm(struct exporter *x, int i, const char *why)
{
	struct xvm *v = &x->vms[i];

	fprintf(stderr, "kvmxctl exporter: - VM %s (%s)\n", vm_label(&v->ref), why);
	close(v->s);
	close(v->vm_copy);
	close(v->vmm);
	prom_free(&v->last);
	prom_free(&v->acc);
	x->vms[i] = x->vms[--x->nr];
}

/* Let go of the VMs whose VMM exited or closed them. */
static void check_vms(struct exporter *x)
{
	int i;

	for (i = x->nr - 1; i >= 0; i--) {
		struct xvm *v = &x->vms[i];
		struct pollfd p = { .fd = v->vmm, .events = POLLIN };

		if (poll(&p, 1, 0) > 0) {
			drop_vm(x, i, "the VMM exited");
			continue;
		}
		if (vm_still_open(v->ref.pid, v->ref.fd, v->vm_copy))
			continue;
		/* an exiting VMM closes its files before its pidfd says so */
		drop_vm(x, i, poll(&p, 1, 100) > 0 ? "the VMM exited" : "the VMM closed it");
	}
	/* a failed (pid, fd) may be another VM later: forget those gone */
	for (i = x->nr_failed - 1; i >= 0; i--)
		if (kill(x->failed[i].pid, 0) && errno == ESRCH)
			x->failed[i] = x->failed[--x->nr_failed];
}

/* Hold every VM of @pid not held yet; how many VMs @pid has. */
static int scan_pid(struct exporter *x, long pid)
{
	int fds[MAX_VMS_PER_PROC], n, i;
	struct vm_ref r;

	n = find_vm_fds(pid, fds, MAX_VMS_PER_PROC);
	for (i = 0; i < n && i < MAX_VMS_PER_PROC; i++) {
		r = (struct vm_ref){ .pid = pid, .fd = fds[i], .nr_in_proc = n };
		vm_name(pid, r.name, sizeof(r.name));
		if (x->guest && strcmp(x->guest, r.name))
			continue;
		hold_vm(x, &r);
	}
	return n;
}

static void scan_all(struct exporter *x)
{
	struct vm_ref *refs = NULL;
	int n, i, unreadable;

	n = list_vms(x->guest, &refs, &unreadable);
	for (i = 0; i < n; i++)
		hold_vm(x, &refs[i]);
	free(refs);
}

/* -- KVM's uevents -------------------------------------------------------- */

static int uevent_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
			NETLINK_KOBJECT_UEVENT);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "kvmxctl exporter: no uevents (%s): %s\n", strerror(errno),
			"looking for new VMs each second");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Read KVM's uevents: a created VM's PID is looked at for LOOK_MS. */
static void uevent_read(struct exporter *x)
{
	char buf[4096];
	ssize_t len;

	for (;;) {
		struct sockaddr_nl from;
		socklen_t flen = sizeof(from);
		bool kvm = false, create = false;
		long pid = -1;
		char *p;

		len = recvfrom(x->usock, buf, sizeof(buf) - 1, 0, (struct sockaddr *)&from, &flen);
		if (!len)
			return;

		if (len < 0) {
			/* ENOBUFS: uevents were lost; look everywhere */
			if (errno == ENOBUFS)
				scan_all(x);
			return;
		}
		/* the kernel's (port 0), not a process's */
		if (flen != sizeof(from) || from.nl_pid)
			continue;
		buf[len] = 0;
		for (p = buf; p < buf + len; p += strlen(p) + 1) {
			if (!strcmp(p, "DEVPATH=/devices/virtual/misc/kvm"))
				kvm = true;
			else if (!strcmp(p, "EVENT=create"))
				create = true;
			else if (!strncmp(p, "PID=", 4))
				pid = atol(p + 4);
		}
		if (!kvm)
			continue;
		if (!create) {
			check_vms(x);
			continue;
		}
		if (pid > 0 && x->nr_pending < MAX_PENDING)
			x->pending[x->nr_pending].pid = pid,
			x->pending[x->nr_pending++].until = mono_s() + LOOK_MS / 1e3;
	}
}

/* Look at the announced PIDs: done with one once its VMs are held. */
static void look_pending(struct exporter *x)
{
	double now = mono_s();
	int i, before;

	for (i = x->nr_pending - 1; i >= 0; i--) {
		before = x->nr;
		scan_pid(x, x->pending[i].pid);
		if (x->nr > before || now > x->pending[i].until)
			x->pending[i] = x->pending[--x->nr_pending];
	}
}

/* -- the exposition ---------------------------------------------------------- */

/* VM @v's samples now, monotonic across resets, added to @out. */
static int collect_vm(struct xvm *v, struct prom_set *out)
{
	struct kvmx_stats *st = read_stats(v->s);
	struct kvmx_faults *f = read_faults(v->s);
	struct prom_set cur = { 0 };
	int ret = -1;

	if (!st || !f)
		goto out;
	/* a reset: what was read before it counts on */
	if (st->since_ns != v->since) {
		if (prom_add_set(&v->acc, &v->last))
			goto out;
		v->since = st->since_ns;
	}
	if (prom_collect(&cur, &v->ref, st, f))
		goto out;
	prom_sort(&cur);
	prom_free(&v->last);
	v->last = cur;
	cur = (struct prom_set){ 0 };
	/* out += last + acc */
	ret = prom_add_set(out, &v->last) || prom_add_set(out, &v->acc) ? -1 : 0;
out:
	prom_free(&cur);
	free(st);
	free(f);
	return ret;
}

/* The whole exposition in a malloc'd string; NULL if out of memory. */
static char *exposition(struct exporter *x, size_t *len)
{
	struct prom_set out = { 0 };
	char *buf = NULL;
	FILE *f;
	int i;

	check_vms(x);
	for (i = 0; i < x->nr; i++)
		if (collect_vm(&x->vms[i], &out))
			fprintf(stderr, "kvmxctl exporter: VM %s not read\n",
				vm_label(&x->vms[i].ref));
	prom_gauge(&out, PROM_VMS, x->nr);
	f = open_memstream(&buf, len);
	if (f) {
		prom_write(f, &out);
		fclose(f);
	}
	prom_free(&out);
	return buf;
}

static int write_textfile(struct exporter *x)
{
	char tmp[4096];
	size_t len;
	char *body = exposition(x, &len);
	FILE *f;
	int fd;

	if (!body)
		return -1;
	/* a new file renamed over the old one: readers see one or the other */
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", x->textfile, getpid());
	/* not through a link someone put there: the directory may be shared */
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	f = fd < 0 ? NULL : fdopen(fd, "w");
	if (!f && fd >= 0)
		close(fd);
	if (!f || fwrite(body, 1, len, f) != len || fclose(f) || rename(tmp, x->textfile)) {
		fprintf(stderr, "kvmxctl exporter: cannot write %s: %s\n", x->textfile,
			strerror(errno));
		unlink(tmp);
		free(body);
		return -1;
	}
	free(body);
	return 0;
}

/* -- HTTP ----------------------------------------------------------------- */

static void send_all(int c, const char *p, size_t len, double until)
{
	while (len && mono_s() < until) {
		ssize_t w = send(c, p, len, MSG_NOSIGNAL);

		if (w <= 0)
			return;
		p += w;
		len -= w;
	}
}

static void respond(int c, const char *status, const char *type, const char *body,
		    size_t len)
{
	char head[256];
	int n = snprintf(head, sizeof(head), "HTTP/1.0 %s\r\nContent-Type: %s\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n", status, type, len);
	double until = mono_s() + CLIENT_SECS;

	send_all(c, head, n, until);
	send_all(c, body, len, until);
}

static void serve(struct exporter *x)
{
	struct timeval tv = { .tv_usec = 200000 };
	double until = mono_s() + CLIENT_SECS;
	char req[4096], *body;
	size_t got = 0, len;
	ssize_t r;
	int c;

	c = accept4(x->lsock, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0)
		return;
	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	/* each recv() and send() waits 0.2 s at most, the whole client CLIENT_SECS */
	while (got < sizeof(req) - 1 && mono_s() < until) {
		r = recv(c, req + got, sizeof(req) - 1 - got, 0);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r <= 0)
			break;
		got += r;
		req[got] = 0;
		if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
			break;
	}
	req[got] = 0;
	if (strncmp(req, "GET ", 4)) {
		respond(c, "405 Method Not Allowed", "text/plain", "GET only\n", 9);
	} else if (!strncmp(req + 4, "/metrics ", 9) || !strncmp(req + 4, "/metrics\r", 9)) {
		body = exposition(x, &len);
		if (body)
			respond(c, "200 OK", PROM_CONTENT_TYPE, body, len);
		else
			respond(c, "500 Internal Server Error", "text/plain",
				"out of memory\n", 14);
		free(body);
	} else if (!strncmp(req + 4, "/ ", 2)) {
		static const char page[] = "kvmx exporter: see /metrics\n";

		respond(c, "200 OK", "text/plain", page, sizeof(page) - 1);
	} else {
		respond(c, "404 Not Found", "text/plain", "not found: try /metrics\n", 24);
	}
	close(c);
}

static int parse_listen(const char *v, struct sockaddr_in *sa)
{
	char host[64];
	const char *colon = strrchr(v, ':');
	long port;

	if (!colon || colon == v || (size_t)(colon - v) >= sizeof(host))
		return die("bad --listen '%s' (ADDR:PORT, an IPv4 address)", v), -1;
	snprintf(host, sizeof(host), "%.*s", (int)(colon - v), v);
	*sa = (struct sockaddr_in){ .sin_family = AF_INET };
	if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return die("bad --listen '%s' (ADDR:PORT, an IPv4 address)", v), -1;
	if (parse_int(colon + 1, "--listen port", &port) || !port || port > 65535)
		return die("bad --listen '%s' (port 1-65535)", v), -1;
	sa->sin_port = htons(port);
	return 0;
}

static int exporter_opt(void *ctx, const char *o, const char *v)
{
	struct exporter *x = ctx;

	if (!v)
		return OPT_UNKNOWN;
	if (!strcmp(o, "--listen")) {
		x->http = true;
		return parse_listen(v, &x->addr) ? OPT_BAD : OPT_VALUE;
	}
	if (!strcmp(o, "--textfile")) {
		x->textfile = v;
		return OPT_VALUE;
	}
	if (!strcmp(o, "--interval")) {
		if (parse_int(v, o, &x->interval))
			return OPT_BAD;
		if (!x->interval)
			return die("--interval must be at least 1 s"), OPT_BAD;
		return OPT_VALUE;
	}
	return OPT_UNKNOWN;
}

static const struct cmd_opt exporter_opts[] = {
	{ "--listen", 0, true }, { "--textfile", 0, true }, { "--interval", 0, true },
	{ NULL },
};

static int listen_on(struct exporter *x, const char *what)
{
	int one = 1;

	x->lsock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (x->lsock < 0)
		return die_err(errno, "socket");
	setsockopt(x->lsock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(x->lsock, (struct sockaddr *)&x->addr, sizeof(x->addr)) ||
	    listen(x->lsock, 16))
		return die_err(errno, "cannot listen on %s", what);
	return 0;
}

int cmd_exporter(int argc, char **argv)
{
	struct exporter x = { .interval = 15, .lsock = -1, .usock = -1 };
	struct pollfd *p = NULL;
	double next_write = 0;
	bool stop = false;
	char where[64];
	struct target t;
	sigset_t sigs;
	int ret, i, sfd;

	ret = parse_vm_opts("exporter", argc, argv, &t, exporter_opts, exporter_opt, &x);
	if (ret)
		return ret;
	if (t.pid >= 0) {
		fprintf(stderr, "kvmxctl: exporter: every VM (or -g NAME), not --pid\n");
		return 2;
	}
	x.guest = t.guest;
	if (!x.http && !x.textfile) {
		x.http = true;
		parse_listen(DEFAULT_LISTEN, &x.addr);
	}
	inet_ntop(AF_INET, &x.addr.sin_addr, where, sizeof(where));
	snprintf(where + strlen(where), sizeof(where) - strlen(where), ":%u",
		 ntohs(x.addr.sin_port));
	if (x.http && listen_on(&x, where))
		return 1;
	if (x.textfile && write_textfile(&x))
		return 1;
	signal(SIGPIPE, SIG_IGN);
	/* SIGTERM and SIGINT stop it: read from a signalfd in the poll set */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
	if (sfd < 0)
		return die_err(errno, "signalfd");
	x.usock = uevent_open();
	scan_all(&x);
	fprintf(stderr, "kvmxctl exporter: %d VMs%s%s%s%s\n", x.nr, x.http ? ", http://" : "",
		x.http ? where : "", x.textfile ? ", textfile " : "",
		x.textfile ? x.textfile : "");
	while (!stop) {
		double now = mono_s(), wait = 1.0;
		int n = 0;

		if (x.textfile && now >= next_write) {
			write_textfile(&x);
			next_write = now + x.interval;
		}
		if (x.textfile && next_write - now < wait)
			wait = next_write - now;
		if (x.nr_pending)
			wait = 0.1;
		free(p);
		p = calloc(x.nr + 3, sizeof(*p));
		if (!p)
			return die("out of memory");
		p[n++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		if (x.lsock >= 0)
			p[n++] = (struct pollfd){ .fd = x.lsock, .events = POLLIN };
		if (x.usock >= 0)
			p[n++] = (struct pollfd){ .fd = x.usock, .events = POLLIN };
		for (i = 0; i < x.nr; i++)
			p[n++] = (struct pollfd){ .fd = x.vms[i].vmm, .events = POLLIN };
		if (poll(p, n, (int)(wait * 1000) + 1) < 0 && errno != EINTR)
			return die_err(errno, "poll");
		if (x.usock >= 0)
			uevent_read(&x);
		else
			scan_all(&x);
		look_pending(&x);
		/* a VMM that exited, or closed its VM (checked each second) */
		check_vms(&x);
		if (p[0].revents & POLLIN)
			stop = true;
		else if (x.lsock >= 0 && p[1].revents & POLLIN)
			serve(&x);
	}
	free(p);
	while (x.nr)
		drop_vm(&x, x.nr - 1, "the exporter stops");
	fprintf(stderr, "kvmxctl exporter: stopped\n");
	return 0;
}
