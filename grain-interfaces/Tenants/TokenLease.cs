namespace Notifly.GrainInterfaces.Tenants;

/// <summary>
/// What one lease on a tenant's token buckets returned (<see cref="ITenantGrain"/>): the tokens
/// granted, the tokens each bucket held before the take (after refill), and the limits in force.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record TokenLease(
    [property: Id(0)] int Granted,
    [property: Id(1)] double MinuteAvailable,
    [property: Id(2)] double HourAvailable,
    [property: Id(3)] int PerMinute,
    [property: Id(4)] int PerHour,
    [property: Id(5)] int Burst)
{
    /// <summary>
    /// How long after the lease the bucket can give its <paramref name="nth"/> token counted from
    /// the lease (1 = the first one not granted, when nothing was granted), and which limit binds.
    /// </summary>
    public (TimeSpan Wait, bool HourBinds) WaitFor(double nth)
    {
        var minute = Math.Max(0, (nth - MinuteAvailable) / (PerMinute / 60.0));
        var hour = Math.Max(0, (nth - HourAvailable) / (PerHour / 3600.0));
        return (TimeSpan.FromSeconds(Math.Max(minute, hour)), hour > minute);
    }
}
