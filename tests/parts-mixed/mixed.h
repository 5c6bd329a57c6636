#ifndef MIXED_H
#define MIXED_H
void mixed_deep(int levels);
void mixed_shallow(int levels);
#endif
