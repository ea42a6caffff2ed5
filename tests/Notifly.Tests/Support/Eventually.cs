namespace Notifly.Tests.Support;

/// <summary>Waits on a condition with a deadline instead of sleeping a guessed time.</summary>
public static class Eventually
{
    public static async Task<T> MatchAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? deadline = null, string? because = null)
    {
        var until = DateTime.UtcNow + (deadline ?? TimeSpan.FromSeconds(20));
        T last;
        while (true)
        {
            last = await probe();
            if (done(last))
            {
                return last;
            }

            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"condition not met in time{(because is null ? "" : $": {because}")}; last value: {last}");
            }

            await Task.Delay(25);
        }
    }
}
