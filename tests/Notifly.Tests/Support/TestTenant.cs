namespace Notifly.Tests.Support;

/// <summary>A tenant created for one test, with an HTTP client authenticated by its admin key.</summary>
public sealed record TestTenant(Guid Id, string AdminKey, HttpClient Http);
