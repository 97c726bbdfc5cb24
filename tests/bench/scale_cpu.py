"""One line of figures for a scale row of the benchmark.

    scale_cpu.py W0 W1 N0 N1 C0 C1

W0, W1: the wall clock (s) before and after; N0, N1: the provider's CPU
time in clock ticks (utime + stime from /proc/PID/stat); C0, C1: the CPU
seconds of the shell's finished children. Prints
"wall_s=.. provider_cpu_s=.. drivers_cpu_s=..".
"""
import os
import sys

a = [float(x) for x in sys.argv[1:7]]
print('wall_s=%.1f provider_cpu_s=%.1f drivers_cpu_s=%.1f' % (
    a[1] - a[0], (a[3] - a[2]) / os.sysconf('SC_CLK_TCK'), a[5] - a[4]))
