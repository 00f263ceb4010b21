// chargeplane — entry point: subcommands serve, sim, migrate, user.
#include <cstdio>
int main() { std::puts("chargeplane"); return 0; }
