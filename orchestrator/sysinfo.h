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
#include <stdbool.h>

struct cpusample {
	double load1, load5, load15;   /* /proc/loadavg; -1 when unreadable */
	unsigned long long busy, total; /* /proc/stat "cpu" line jiffies; 0 when unreadable */
	double at;                      /* now() when taken */
	double selfcpu;                 /* gilbench's own user+system seconds (RUSAGE_SELF) */
};

json_t *sysinfo_machine(void);                               /* new object: kernel, cpu, cores, memory_kb, governor, turbo, aslr */
void sysinfo_sample(struct cpusample *s);                    /* read load and jiffies now */
json_t *sysinfo_load_json(const struct cpusample *s);        /* {"1m":..,"5m":..,"15m":..} or null */
double sysinfo_other_share(const struct cpusample *a, const struct cpusample *b, double childcpu);
                                                             /* share of all CPUs' time between a and b used by
                                                                processes other than gilbench and its trials (childcpu
                                                                seconds); NAN when unknown */
bool sysinfo_load_busy(double load1, int sparecores);        /* load above 0.5 per spare core */

#endif
