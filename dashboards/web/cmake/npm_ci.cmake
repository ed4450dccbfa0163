# Runs `npm ci` for the pages in the build tree (cmake -P; see dashboards/CMakeLists.txt).
# -DNPM=<npm> -DSRC=<dashboards/web> -DDEST=<build dir for node_modules> -DSTAMP=<file to touch>
file(MAKE_DIRECTORY ${DEST})
file(COPY ${SRC}/package.json ${SRC}/package-lock.json DESTINATION ${DEST})
execute_process(
  COMMAND ${NPM} ci --no-audit --no-fund --ignore-scripts --loglevel=error
  WORKING_DIRECTORY ${DEST}
  RESULT_VARIABLE rc
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR
    "meridian pages: `npm ci` in ${DEST} failed (exit ${rc}). The build fetches the pinned "
    "chart library (uPlot, dashboards/web/package-lock.json) from the npm registry: is it "
    "reachable (proxy: npm config set proxy ...; a mirror: npm config set registry ...)?\n"
    "${out}${err}")
endif()
file(TOUCH ${STAMP})
