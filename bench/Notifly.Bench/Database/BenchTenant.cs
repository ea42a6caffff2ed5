namespace Notifly.Bench.Database;

/// <summary>A tenant of its own per phase, so each phase's rows can be counted and told apart.</summary>
public sealed record BenchTenant(Guid TenantId, Guid KeyId, string KeyPrefix, string Secret);
