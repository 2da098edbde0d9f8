// SPDX-License-Identifier: GPL-2.0
/*
 * The programmable policy: a BPF struct_ops, "kvmx_ops", whose mmio()
 * answers the accesses of PROGRAM regions and whose exit() decides the
 * exits of the classes it names. Built where a module may register a
 * struct_ops type whose reg() sees the BPF link (6.10) and modules have
 * BTF; elsewhere KVMX_CAP_BPF is absent.
 *
 * What a program can do: read its context; in mmio(), write the @data it
 * returns for a read; call the regions' kfuncs (region_bpf.c) on the
 * region it was called for; use maps and the base helpers. Its return value selects an
 * action kvmx already has (a region's FORWARD, a class's SAMPLE or NOTIFY,
 * arm64's INJECT of unclaimed MMIO). No pointer into KVM or kvmx reaches
 * it: the context is a copy kvmx made, and the kfuncs find the region
 * from the context's address, which the verifier only lets a program pass
 * on unchanged.
 *
 * Lifetime: userspace attaches a struct kvmx_ops with a BPF link; reg()
 * records it in kvmx_progs. A region or a policy naming the link's fd
 * holds a reference on that file (so closing the user's fd does not take
 * the program away) and on the struct kvmx_prog. unreg() runs when the
 * link goes: its last file reference dropped (the region or policy went)
 * or BPF_LINK_DETACH. It clears @ops and waits for an RCU grace period, so
 * when it returns no CPU is inside the program and none will enter it;
 * the holders then forward and count. The struct_ops map holds a
 * reference on this module, so kvmx cannot be unloaded while one exists.
 *
 * Locking: kvmx_prog_lock (a mutex) protects kvmx_progs and each prog's
 * @vm and @users. The ops are called in RCU read-side sections.
 */
#include <linux/bpf.h>
#include <linux/bpf_verifier.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/file.h>
#include <linux/slab.h>
#include "kvmx.h"

/* The struct_ops type, as BPF programs see it (tools/bpf/kvmx_bpf.h). */
struct kvmx_ops {
	int (*mmio)(struct kvmx_mmio_ctx *ctx);
	int (*exit)(struct kvmx_exit_ctx *ctx);
	u32 exit_classes;
};

/**
 * struct kvmx_prog - a struct kvmx_ops a link registered
 * @ref:	the registration, and each holder
 * @node:	on kvmx_progs while registered
 * @link:	the link: compared with a file's private_data; followed only for
 *		its id, by a holder of its file
 * @link_id:	its id, for listing; known from the first holder on
 *		(kvmx_prog_lock)
 * @ops:	the kernel's copy of the ops; NULL once unregistered
 * @exit_classes: a private copy of the ops' @exit_classes
 * @has_mmio:	the ops have an mmio()
 * @has_exit:	... an exit()
 * @vm:		the VM its holders are in, NULL if none (kvmx_prog_lock)
 * @users:	its holders (kvmx_prog_lock)
 */
struct kvmx_prog {
	struct kref ref;
	struct list_head node;
	const struct bpf_link *link;
	u32 link_id;
	struct kvmx_ops __rcu *ops;
	u32 exit_classes;
	bool has_mmio, has_exit;
	struct kvmx_vm *vm;
	unsigned int users;
};

static DEFINE_MUTEX(kvmx_prog_lock);
static LIST_HEAD(kvmx_progs);
static bool kvmx_bpf_registered;

/*
 * struct kvmx_mmio_ctx in this module's BTF as the kernel has it loaded
 * (7.x relocates a module's BTF against vmlinux's: its ids are not the
 * ones resolved at build time), taken from mmio()'s prototype when the
 * first mmio() program is checked: the one type a program may write.
 */
static const struct btf_type *kvmx_mmio_ctx_type;

/* this module's BTF as loaded: where struct kvmx_ops is (kvmx_bpf_init()) */
static const struct btf *kvmx_btf;

static void kvmx_prog_free(struct kref *ref)
{
	kfree(container_of(ref, struct kvmx_prog, ref));
}

/* -- calling the ops: vCPU threads, RCU read-side sections ----------------- */

/**
 * kvmx_prog_mmio() - let a PROGRAM region's program answer an access
 * @use:	the region's program
 * @c:		the access; @c->ctx.data is the answer of a read
 *
 * Return: KVMX_MMIO_SERVED, or KVMX_MMIO_FORWARD (what the program said,
 * or what kvmx does without one, or for a value it does not know).
 */
int kvmx_prog_mmio(const struct kvmx_prog_use *use, struct kvmx_mmio_call *c)
{
	struct kvmx_ops *ops;
	int ret = KVMX_MMIO_FORWARD;

	rcu_read_lock();
	ops = rcu_dereference(use->prog->ops);
	if (ops)
		ret = ops->mmio(&c->ctx);
	rcu_read_unlock();
	return ret == KVMX_MMIO_SERVED ? KVMX_MMIO_SERVED : KVMX_MMIO_FORWARD;
}

/**
 * kvmx_prog_exit() - ask a policy's program about an exit
 * @use:	the policy's program
 * @ctx:	the exit
 *
 * Return: what exit() returned, KVMX_EXIT_COUNT if it is gone.
 */
int kvmx_prog_exit(const struct kvmx_prog_use *use, struct kvmx_exit_ctx *ctx)
{
	struct kvmx_ops *ops;
	int ret = KVMX_EXIT_COUNT;

	rcu_read_lock();
	ops = rcu_dereference(use->prog->ops);
	if (ops)
		ret = ops->exit(ctx);
	rcu_read_unlock();
	return ret;
}

/* The classes @use's program decides, as its ops said when it was registered. */
u32 kvmx_prog_classes(const struct kvmx_prog_use *use)
{
	return use->prog->exit_classes;
}

/* The link's id; 0 once it is detached. */
u32 kvmx_prog_link_id(const struct kvmx_prog_use *use)
{
	return rcu_access_pointer(use->prog->ops) ? use->prog->link_id : 0;
}

/* -- holders: regions and policies ------------------------------------------ */

/**
 * kvmx_prog_use() - take the program behind a link fd for @vm
 * @vm:		the VM of the region or policy that names it
 * @fd:		the link's fd
 * @want_exit:	a policy's (exit() wanted), else a region's (mmio())
 * @use:	out: the holder's references
 *
 * Return: 0; -EBADF if @fd is not open; -EINVAL if it is not a link of a
 * registered struct kvmx_ops or the ops lack what is wanted; -EBUSY if
 * the program serves another VM; -EOPNOTSUPP without KVMX_CAP_BPF.
 */
int kvmx_prog_use(struct kvmx_vm *vm, int fd, bool want_exit, struct kvmx_prog_use *use)
{
	struct kvmx_prog *p, *found = NULL;
	struct file *f;
	int ret;

	if (!kvmx_bpf_registered)
		return -EOPNOTSUPP;
	f = fget(fd);
	if (!f)
		return -EBADF;

	/* kvmx_prog_lock: the list, and the program's VM and users */
	mutex_lock(&kvmx_prog_lock);
	list_for_each_entry(p, &kvmx_progs, node) {
		/* a link file's private_data is its link; any other file's is not ours */
		if (p->link == f->private_data) {
			found = p;
			break;
		}
	}
	ret = -EINVAL;
	if (!found)
		goto err_unlock;
	/* the member the holder calls */
	if (want_exit ? !found->has_exit || !found->exit_classes : !found->has_mmio)
		goto err_unlock;
	/* one VM's regions and policy at a time */
	ret = -EBUSY;
	if (found->vm && found->vm != vm)
		goto err_unlock;
	/* a link has its id once its fd is installed, after reg(): now, as we hold that file */
	if (!found->link_id)
		found->link_id = found->link->id;
	found->vm = vm;
	found->users++;
	kref_get(&found->ref);
	mutex_unlock(&kvmx_prog_lock);
	use->prog = found;
	use->link = f;
	return 0;

err_unlock:
	mutex_unlock(&kvmx_prog_lock);
	fput(f);
	return ret;
}

/* Drop what kvmx_prog_use() took; @use may be empty. */
void kvmx_prog_unuse(struct kvmx_prog_use *use)
{
	struct kvmx_prog *p = use->prog;

	if (!p)
		return;
	/* kvmx_prog_lock: the program's VM and users */
	mutex_lock(&kvmx_prog_lock);
	if (!--p->users)
		p->vm = NULL;
	mutex_unlock(&kvmx_prog_lock);
	kref_put(&p->ref, kvmx_prog_free);
	/* the link's last reference: unreg() runs, later and not under our locks */
	fput(use->link);
	use->prog = NULL;
	use->link = NULL;
}

/* -- the verifier's view ---------------------------------------------------- */

static const struct bpf_func_proto *kvmx_bpf_func_proto(enum bpf_func_id func_id,
							const struct bpf_prog *prog)
{
	return bpf_base_func_proto(func_id, prog);
}

static bool kvmx_bpf_is_valid_access(int off, int size, enum bpf_access_type type,
				     const struct bpf_prog *prog,
				     struct bpf_insn_access_aux *info)
{
	return bpf_tracing_btf_ctx_access(off, size, type, prog, info);
}

/* Writes through a context: only mmio()'s @data, the answer of a read. */
static int kvmx_bpf_btf_struct_access(struct bpf_verifier_log *log,
				      const struct bpf_reg_state *reg, int off, int size)
{
	const struct btf_type *t = btf_type_by_id(reg->btf, reg->btf_id);
	const size_t start = offsetof(struct kvmx_mmio_ctx, data);

	/* a pointer the verifier trusts: the argument kvmx passed, not a cast */
	if (reg->type != (PTR_TO_BTF_ID | PTR_TRUSTED)) {
		bpf_log(log, "kvmx: only mmio()'s own context is written\n");
		return -EACCES;
	}
	/* mmio()'s context: a type of this module's BTF, not one alike in another */
	if (!t || t != READ_ONCE(kvmx_mmio_ctx_type)) {
		bpf_log(log, "kvmx: only struct kvmx_mmio_ctx is written\n");
		return -EACCES;
	}
	/* inside @data */
	if (off < start || off + size > start + sizeof(u64)) {
		bpf_log(log, "kvmx: only kvmx_mmio_ctx.data is written, not %d+%d\n", off, size);
		return -EACCES;
	}
	return 0;
}

static const struct bpf_verifier_ops kvmx_bpf_verifier_ops = {
	.get_func_proto		= kvmx_bpf_func_proto,
	.is_valid_access	= kvmx_bpf_is_valid_access,
	.btf_struct_access	= kvmx_bpf_btf_struct_access,
};

/* -- the struct_ops ---------------------------------------------------------- */

/* At registration: @btf is this module's, the one kvmx_ops programs attach to. */
static int kvmx_bpf_init(struct btf *btf)
{
	WRITE_ONCE(kvmx_btf, btf);
	return 0;
}

/**
 * kvmx_bpf_kfunc_filter() - may @prog call the regions' kfuncs
 * @prog:	a struct_ops program the verifier is checking
 * @kfunc_id:	one of kvmx's kfuncs
 *
 * Only mmio() programs of struct kvmx_ops are given a struct kvmx_mmio_ctx;
 * the kfuncs are theirs alone, not other struct_ops' (sched_ext, TCP
 * congestion control, ...) nor exit()'s. Read from what the program was
 * loaded with, before or after the verifier checked its attach point (it
 * refuses the program then if that is not a kvmx_ops member).
 *
 * Return: 0 if it may, -EACCES if not.
 */
int kvmx_bpf_kfunc_filter(const struct bpf_prog *prog, u32 kfunc_id)
{
	const struct btf *btf = prog->aux->attach_btf;
	const struct btf_type *t;
	u32 idx = prog->expected_attach_type;

	/* kvmx's BTF has one struct_ops: struct kvmx_ops */
	if (!btf || btf != READ_ONCE(kvmx_btf))
		return -EACCES;
	t = btf_type_by_id(btf, prog->aux->attach_btf_id);
	if (!t || !btf_type_is_struct(t) || idx >= btf_type_vlen(t))
		return -EACCES;
	/* its mmio() */
	if (__btf_member_bit_offset(t, &btf_type_member(t)[idx]) / 8 !=
	    offsetof(struct kvmx_ops, mmio))
		return -EACCES;
	return 0;
}

/* The struct a member's first argument points to: PTR -> FUNC_PROTO -> PTR -> it. */
static const struct btf_type *kvmx_arg0_struct(const struct btf *btf,
					       const struct btf_member *member)
{
	const struct btf_type *t = btf_type_by_id(btf, member->type);

	if (!t || !btf_type_is_ptr(t))
		return NULL;
	t = btf_type_by_id(btf, t->type);
	if (!t || !btf_type_is_func_proto(t) || !btf_type_vlen(t))
		return NULL;
	t = btf_type_by_id(btf, btf_params(t)[0].type);
	if (!t || !btf_type_is_ptr(t))
		return NULL;
	t = btf_type_by_id(btf, t->type);
	return t && btf_type_is_struct(t) ? t : NULL;
}

/*
 * A program for @member of @t (struct kvmx_ops), before the verifier
 * reads its instructions. Programs run where a vCPU may not sleep.
 */
static int kvmx_bpf_check_member(const struct btf_type *t, const struct btf_member *member,
				 const struct bpf_prog *prog)
{
	const struct btf_type *ctx;

	if (prog->sleepable)
		return -EINVAL;
	if (__btf_member_bit_offset(t, member) / 8 != offsetof(struct kvmx_ops, mmio))
		return 0;
	/* the same type every time: the module's BTF lives as long as the module */
	ctx = kvmx_arg0_struct(prog->aux->attach_btf, member);
	if (!ctx)
		return -EINVAL;
	WRITE_ONCE(kvmx_mmio_ctx_type, ctx);
	return 0;
}

/* The one member that is not a function: the classes exit() decides. */
static int kvmx_bpf_init_member(const struct btf_type *t, const struct btf_member *member,
				void *kdata, const void *udata)
{
	const struct kvmx_ops *uops = udata;
	struct kvmx_ops *ops = kdata;
	u32 moff = __btf_member_bit_offset(t, member) / 8;

	if (moff != offsetof(struct kvmx_ops, exit_classes))
		return 0;
	/* classes the module has */
	if (uops->exit_classes & ~GENMASK(KVMX_EXIT_NR_CLASSES - 1, 0))
		return -EINVAL;
	ops->exit_classes = uops->exit_classes;
	return 1;
}

/* A link attached @kdata: record it. Without a link kvmx has no owner for it. */
static int kvmx_bpf_reg(void *kdata, struct bpf_link *link)
{
	struct kvmx_ops *ops = kdata;
	struct kvmx_prog *p;

	if (!link)
		return -EOPNOTSUPP;
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	kref_init(&p->ref);
	p->link = link;
	p->exit_classes = ops->exit_classes;
	p->has_mmio = ops->mmio;
	p->has_exit = ops->exit;
	RCU_INIT_POINTER(p->ops, ops);
	/* kvmx_prog_lock: the list */
	mutex_lock(&kvmx_prog_lock);
	list_add(&p->node, &kvmx_progs);
	mutex_unlock(&kvmx_prog_lock);
	return 0;
}

/* The link is going: no CPU is in @kdata's programs when this returns. */
static void kvmx_bpf_unreg(void *kdata, struct bpf_link *link)
{
	struct kvmx_prog *p, *found = NULL;

	/* kvmx_prog_lock: the list */
	mutex_lock(&kvmx_prog_lock);
	list_for_each_entry(p, &kvmx_progs, node) {
		if (p->link == link) {
			found = p;
			list_del(&p->node);
			break;
		}
	}
	mutex_unlock(&kvmx_prog_lock);
	if (WARN_ON_ONCE(!found))
		return;
	RCU_INIT_POINTER(found->ops, NULL);
	synchronize_rcu();
	kref_put(&found->ref, kvmx_prog_free);
}

static int kvmx_ops__mmio(struct kvmx_mmio_ctx *ctx)
{
	return KVMX_MMIO_FORWARD;
}

static int kvmx_ops__exit(struct kvmx_exit_ctx *ctx)
{
	return KVMX_EXIT_COUNT;
}

/* what the verifier and kCFI read the members' prototypes from */
static struct kvmx_ops __kvmx_ops_stubs = {
	.mmio	= kvmx_ops__mmio,
	.exit	= kvmx_ops__exit,
};

static struct bpf_struct_ops kvmx_bpf_ops = {
	.verifier_ops	= &kvmx_bpf_verifier_ops,
	.init		= kvmx_bpf_init,
	.check_member	= kvmx_bpf_check_member,
	.init_member	= kvmx_bpf_init_member,
	.reg		= kvmx_bpf_reg,
	.unreg		= kvmx_bpf_unreg,
	.cfi_stubs	= &__kvmx_ops_stubs,
	.name		= "kvmx_ops",
	.owner		= THIS_MODULE,
};

/*
 * Module init: register the struct_ops, once the kfuncs its programs may
 * call are (@kfuncs: kvmx_region_kfuncs_register()'s result). Failing
 * leaves KVMX_CAP_BPF absent (a kernel whose BTF does not match this
 * module's, say), not kvmx unloaded.
 */
void kvmx_bpf_register(int kfuncs)
{
	int ret = kfuncs;

	if (!ret)
		ret = register_bpf_struct_ops(&kvmx_bpf_ops, kvmx_ops);
	if (ret) {
		pr_info("no BPF programs: cannot register struct kvmx_ops: %d\n", ret);
		return;
	}
	kvmx_bpf_registered = true;
}

bool kvmx_bpf_available(void)
{
	return kvmx_bpf_registered;
}
