// Placeholder until the host lands in the next commit.
return 0;
