# Turn a file into a C source defining `const unsigned char NAME[]` (NUL-terminated)
# and `const size_t NAME_len`. Run with -DIN= -DOUT= -DNAME=.
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" hex_len)
math(EXPR n "${hex_len} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE "${OUT}" "/* Generated from ${IN} by web/embed.cmake; do not edit. */\n#include <stddef.h>\nconst unsigned char ${NAME}[] = {${bytes}0x00};\nconst size_t ${NAME}_len = ${n};\n")
