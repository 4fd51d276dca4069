"""The main window: a navigation sidebar, the pages, a status bar naming the active connection
profile and AEP sandbox, a banner for production profiles, and the log viewer in a dock."""

from __future__ import annotations

import logging

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from .. import APP_NAME, __version__
from .logview import LogView, QtLogHandler, log_file
from .pages import PageSpec, page_specs

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    def __init__(self, context, log_handler: QtLogHandler, specs: list[PageSpec] | None = None) -> None:
        super().__init__()
        self.context = context
        self.setWindowTitle(APP_NAME)
        self.setObjectName("MainWindow")
        self.resize(1280, 800)
        self.specs = specs if specs is not None else page_specs()
        self._pages: dict[str, QWidget] = {}

        self.nav = QListWidget()
        self.nav.setObjectName("Navigation")
        self.nav.setAccessibleName("Navigation")
        self.nav.setToolTip("Pages (Ctrl+1 … Ctrl+9)")
        self.nav.setIconSize(QSize(18, 18))
        self.nav.setMinimumWidth(170)
        self.nav.setMaximumWidth(240)
        # roomy rows without a widget style sheet (one would freeze its palette: no live dark/light switch)
        self.nav.setSpacing(1)
        self.nav.setViewportMargins(6, 4, 0, 4)
        self.stack = QStackedWidget()
        for index, spec in enumerate(self.specs):
            item = QListWidgetItem(spec.title)
            item.setToolTip(spec.tooltip)
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
            item.setSizeHint(QSize(0, 30))
            self.nav.addItem(item)
            self.stack.addWidget(QWidget())  # real page built on first show
            if index < 9:
                action = QAction(self)
                action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
                action.triggered.connect(lambda _=False, key=spec.key: self.show_page(key))
                self.addAction(action)
        self.nav.currentRowChanged.connect(self._on_row)

        self.banner = QLabel()
        self.banner.setObjectName("ProductionBanner")
        self.banner.setAccessibleName("Connection warning")
        self.banner.setWordWrap(True)
        self.banner.setVisible(False)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(0)
        right_layout.addWidget(self.banner)
        right_layout.addWidget(self.stack, 1)

        splitter = QSplitter()
        splitter.addWidget(self.nav)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([200, 1080])
        self.setCentralWidget(splitter)

        self._log_handler = log_handler
        self._log_view: LogView | None = None
        self.log_dock = QDockWidget("Log", self)
        self.log_dock.setObjectName("LogDock")
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.log_dock)
        self.log_dock.hide()
        self.log_dock.visibilityChanged.connect(lambda visible: visible and self.log_view)  # built on first show

        self.profile_label = QLabel()
        self.profile_label.setAccessibleName("Active connection profile")
        self.sandbox_label = QLabel()
        self.sandbox_label.setAccessibleName("Active AEP sandbox")
        self.busy_label = QLabel()
        self.statusBar().addWidget(self.profile_label)
        self.statusBar().addWidget(self.sandbox_label)
        self.statusBar().addPermanentWidget(self.busy_label)
        self._build_menus()
        self._connect_context()
        self.nav.setCurrentRow(0)

    @property
    def log_view(self) -> LogView:
        """The log viewer of the dock, built on first use (it shows what was logged before)."""
        if self._log_view is None:
            self._log_view = LogView(self._log_handler)
            self.log_dock.setWidget(self._log_view)
        return self._log_view

    # --- pages ---------------------------------------------------------------------------------

    def page(self, key: str) -> QWidget:
        """The page widget for ``key``, built on first use."""
        if key not in self._pages:
            index = self._index(key)
            widget = self.specs[index].factory(self.context)
            widget.setObjectName(f"page-{key}")
            placeholder = self.stack.widget(index)
            self.stack.insertWidget(index, widget)
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
            self._pages[key] = widget
        return self._pages[key]

    def show_page(self, key: str) -> QWidget:
        index = self._index(key)
        widget = self.page(key)
        if self.nav.currentRow() != index:
            self.nav.setCurrentRow(index)
        self.stack.setCurrentIndex(index)
        return widget

    def current_key(self) -> str:
        return self.specs[self.stack.currentIndex()].key

    def _index(self, key: str) -> int:
        for index, spec in enumerate(self.specs):
            if spec.key == key:
                return index
        raise KeyError(f"no page {key!r}; pages: {', '.join(s.key for s in self.specs)}")

    def _on_row(self, row: int) -> None:
        if 0 <= row < len(self.specs):
            self.show_page(self.specs[row].key)

    # --- chrome --------------------------------------------------------------------------------

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        quit_action = file_menu.addAction("&Quit")
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))  # (the platform's StandardKey.Quit is empty on some)
        quit_action.triggered.connect(self.close)
        view = self.menuBar().addMenu("&View")
        toggle_log = self.log_dock.toggleViewAction()
        toggle_log.setText("&Log")
        toggle_log.setShortcut(QKeySequence("Ctrl+L"))
        view.addAction(toggle_log)
        for spec in self.specs:
            view.addAction(spec.title, lambda key=spec.key: self.show_page(key))
        tools = self.menuBar().addMenu("&Tools")
        tools.addAction("&Promote set-up…", self.open_promote_wizard)
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction("Open &log folder", self._open_log_folder)
        help_menu.addAction("&About", self._about)

    def open_promote_wizard(self) -> None:
        from .wizards.promote_wizard import PromoteWizard

        wizard = PromoteWizard(self.context, self)
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        wizard.show()

    def _open_log_folder(self) -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        QDesktopServices.openUrl(QUrl.fromLocalFile(str(log_file().parent)))

    def _about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        from .about import version_text

        QMessageBox.about(self, f"About {APP_NAME}", f"<b>{APP_NAME} {__version__}</b><pre>{version_text()}</pre>")

    def closeEvent(self, event) -> None:
        """Quitting during a bulk send asks first (the run stops; Send all resumes it later)."""
        runner = getattr(self.context, "runner", None)
        running = runner is not None and runner.is_running("bulk-send")
        if not running or getattr(self, "_quit_confirmed", False):
            super().closeEvent(event)
            return
        event.ignore()
        from PySide6.QtWidgets import QMessageBox

        from .widgets.confirm import ask_before

        def quit_now() -> None:
            self._quit_confirmed = True
            self.close()

        ask_before(self, name="QuitQuestion", icon=QMessageBox.Icon.Warning, title="Quit during a bulk send?",
                   text="A bulk send is running. Quitting stops it; the records sent so far stay sent, and "
                        "Send all on the same file resumes the run later.",
                   go="&Quit", stay="&Keep sending", on_go=quit_now)

    def _connect_context(self) -> None:
        signal = getattr(self.context, "profile_changed", None)
        if signal is not None:
            signal.connect(self.set_profile)
        busy = getattr(self.context, "busy_changed", None)
        if busy is not None:
            busy.connect(lambda on: self.busy_label.setText("Working…" if on else ""))
        self.set_profile(getattr(self.context, "active_profile", None))

    def set_profile(self, profile) -> None:
        """Status bar and banner for the active connection profile (any object with name etc.)."""
        if profile is None:
            self.profile_label.setText("Profile: none")
            self.sandbox_label.setText("")
            self.banner.setVisible(False)
            return
        name = getattr(profile, "name", str(profile))
        sandbox = getattr(profile, "sandbox_name", "") or "?"
        where = "local sandbox, offline" if getattr(profile, "is_local", False) else "Adobe Experience Platform"
        self.profile_label.setText(f"Profile: {name} \u2014 {where}")
        self.sandbox_label.setText(f"  |  AEP sandbox: {sandbox}")
        production = bool(getattr(profile, "production", False))
        self.banner.setVisible(production)
        if production:
            self.banner.setText(
                f"PRODUCTION: profile \u201c{name}\u201d sends to the production sandbox \u201c{sandbox}\u201d. "
                "Every send asks for confirmation."
            )
            self.banner.setStyleSheet(
                "QLabel#ProductionBanner { background: #b3261e; color: white; font-weight: bold; padding: 8px; }"
            )
