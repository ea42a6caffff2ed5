using Notifly.Bench.Measurement;

namespace Notifly.Bench.Load;

/// <summary>A load generator run as seen by the parent: the child's result and every party's CPU over its window.</summary>
public sealed record ClientRun(LoadResult Result, CpuUse Cpu, DateTimeOffset WindowStart, DateTimeOffset WindowEnd);
