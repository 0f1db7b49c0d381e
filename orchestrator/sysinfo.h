/* sysinfo.h: the machine a run measures on, and how quiet it is.
 *
 * sysinfo_machine() describes the machine for metadata.json: kernel (uname), CPU model
 * (/proc/cpuinfo), cores, memory (/proc/meminfo), frequency governor and turbo (sysfs,
 * where readable) and ASLR. A cpusample is one reading of /proc/loadavg and the busy and
 * total jiffies of /proc/stat; two samples and the CPU time gilbench and its trials used in
 * between give the CPU share taken by other processes. Readings that cannot be made are
 * null in the JSON, never guessed. */
#ifndef GILBENCH_SYSINFO_H
#define GILBENCH_SYSINFO_H

#include <jansson.h>
#include <sched.h>
#include <stdbool.h>

struct cpusample {
	double load1, load5, load15;   /* /proc/loadavg; -1 when unreadable */
	unsigned long long busy, total, steal; /* /proc/stat jiffies of the sampled CPUs */
	int ncpu;                       /* CPUs summed; 0 when /proc/stat was unreadable */
	double stalled;                 /* /proc/pressure/cpu "some" total: seconds some task waited for a CPU; NAN unknown */
	double at;                      /* now() when taken */
	double selfcpu;                 /* gilbench's own user+system seconds (RUSAGE_SELF) */
};

struct interference {           /* what other processes did to a trial, between two samples */
	double others;                 /* CPU seconds they used on the sampled CPUs (NAN: unknown) */
	double share;                  /* others / (wall seconds x CPUs): the share of those CPUs they took */
	double steal;                  /* the share of those CPUs the hypervisor stole */
	double stall;                  /* the share of the time some task on the machine waited for a CPU (PSI); NAN unknown */
	int cpus;                      /* CPUs sampled */
};

json_t *sysinfo_machine(void);                               /* new object: kernel, cpu, cores, memory_kb, governor, turbo, aslr */
void sysinfo_sample(struct cpusample *s);                    /* read load and all CPUs' jiffies now */
void sysinfo_sample_set(struct cpusample *s, const cpu_set_t *set); /* the same for the CPUs in SET only (NULL: all) */
void sysinfo_interference(const struct cpusample *a, const struct cpusample *b, double ourcpu, struct interference *out);
	/* between samples a and b of the same CPUs, with OURCPU seconds used by gilbench's children (gilbench's own
	   time is taken off too): what other processes took; fields NAN when unknown */
json_t *sysinfo_load_json(const struct cpusample *s);        /* {"1m":..,"5m":..,"15m":..} or null */
double sysinfo_other_share(const struct cpusample *a, const struct cpusample *b, double childcpu);
                                                             /* sysinfo_interference's share over all CPUs */
double sysinfo_others_now(double window);                    /* CPU cores other processes keep busy, over WINDOW seconds; NAN unknown */
bool sysinfo_load_busy(double load1, int sparecores);        /* load above 0.5 per spare core */

#endif
