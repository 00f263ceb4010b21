# Build step: turns src/store/migrations/NNNN_name.sql into a C++ table of migrations
# (`cp::store::sqlite::embedded_migrations()`), so the binary carries its schema.
# Usage: cmake -DSQL_DIR=<dir> -DOUT=<file.cpp> -P embed_migrations.cmake
file(GLOB _files ${SQL_DIR}/*.sql)
list(SORT _files)
set(_body "")
foreach(f ${_files})
  get_filename_component(_name ${f} NAME_WE)
  if(NOT _name MATCHES "^([0-9]+)_(.+)$")
    message(FATAL_ERROR "migration file name must be NNNN_name.sql: ${f}")
  endif()
  math(EXPR _version "${CMAKE_MATCH_1}")  # drops leading zeros
  set(_label "${CMAKE_MATCH_2}")
  file(READ ${f} _sql)
  if(_sql MATCHES "\\)cpsql\"")
    message(FATAL_ERROR "${f} contains the raw-string delimiter )cpsql\"")
  endif()
  string(APPEND _body "    {${_version}, \"${_label}\", R\"cpsql(${_sql})cpsql\"},\n")
endforeach()
# Quoted arguments only: the SQL contains semicolons, which CMake would treat as list separators.
string(CONCAT _text
  "// Generated from src/store/migrations/*.sql by embed_migrations.cmake; do not edit.\n"
  "#include \"store/sqlite/migrations.h\"\n\n"
  "namespace cp::store::sqlite {\n"
  "namespace {\nconst Migration kMigrations[] = {\n"
  "${_body}"
  "};\n}  // namespace\n\n"
  "std::span<const Migration> embedded_migrations() { return kMigrations; }\n\n"
  "}  // namespace cp::store::sqlite\n")
file(WRITE ${OUT} "${_text}")
