namespace Notifly.Tests.Support;

/// <summary>A message request FakeTwilio accepted for processing: its SID and form fields.</summary>
public sealed record TwilioMessage(string Sid, IReadOnlyDictionary<string, string> Form);
