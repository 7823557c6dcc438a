# install: what `cmake --install` puts under the prefix (GNUInstallDirs): the
# three programs, the broker's metrics module, their man pages made from
# --help by help2man, the README and PROTOCOL.md, the systemd unit and the
# sysusers entry. Included by the top-level CMakeLists.txt once the program
# targets exist.
include(GNUInstallDirs)

set(ZCHAT_PROGRAMS chat-broker chat-cli chat-load)
install(TARGETS ${ZCHAT_PROGRAMS} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# chat-broker looks for its metrics module here, by the path from BINDIR.
install(TARGETS zchat-metrics-http LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/zchat)
install(FILES README.md patterns/PROTOCOL.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

# Man pages: help2man runs each freshly built program with --help and
# --version, so a page never says other than the program does.
find_program(HELP2MAN help2man REQUIRED)
set(zchat_man_name_chat-broker "zchat rendezvous and lobby broker")
set(zchat_man_name_chat-cli "zchat terminal chat client")
set(zchat_man_name_chat-load "zchat load generator")
# The date on each page is the last commit's, so a rebuild makes the same .deb.
execute_process(COMMAND git log -1 --format=%ct
                WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                OUTPUT_VARIABLE zchat_source_date OUTPUT_STRIP_TRAILING_WHITESPACE
                ERROR_QUIET)
if(NOT zchat_source_date)
  string(TIMESTAMP zchat_source_date "%s")
endif()
set(zchat_man_pages)
foreach(program IN LISTS ZCHAT_PROGRAMS)
  set(page ${PROJECT_BINARY_DIR}/man/${program}.1)
  add_custom_command(
    OUTPUT ${page}.gz
    COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man
    COMMAND ${CMAKE_COMMAND} -E env SOURCE_DATE_EPOCH=${zchat_source_date}
            ${HELP2MAN} --no-info --section=1 "--name=${zchat_man_name_${program}}"
            --output=${page} $<TARGET_FILE:${program}>
    # -n keeps name and time out of the gzip header, for the same reason.
    COMMAND gzip -9nf ${page}
    DEPENDS ${program}
    COMMENT "help2man ${program}"
    VERBATIM)
  list(APPEND zchat_man_pages ${page}.gz)
endforeach()
add_custom_target(man ALL DEPENDS ${zchat_man_pages})
install(FILES ${zchat_man_pages} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# The unit and the sysusers entry go where Debian 12 keeps them when the prefix
# is /usr (the package), and under the prefix otherwise: an absolute
# destination ignores `cmake --install --prefix`, and a trial install into a
# home directory must not write into /lib.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(zchat_unit_dir /lib/systemd/system)
  set(zchat_sysusers_dir /usr/lib/sysusers.d)
else()
  set(zchat_unit_dir lib/systemd/system)
  set(zchat_sysusers_dir lib/sysusers.d)
endif()
# ExecStart= names the binary under the configured prefix.
set(ZCHAT_UNIT_FILE ${PROJECT_BINARY_DIR}/packaging/chat-broker.service)
configure_file(packaging/chat-broker.service.in ${ZCHAT_UNIT_FILE} @ONLY)
install(FILES ${ZCHAT_UNIT_FILE} DESTINATION ${zchat_unit_dir})
install(FILES packaging/zchat.sysusers DESTINATION ${zchat_sysusers_dir} RENAME zchat.conf)
