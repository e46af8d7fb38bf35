from typing import cast

from django.contrib.auth import authenticate
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.models import AuthToken
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.drf import StrictCharField
from stp_portal.api_requests import AddressThrottle

from .models import User
from .services import api_token_create, api_token_revoke, user_signup
from .two_factor import second_factor_problem


class _AnonymousApi(APIView):
    """Answered before anyone is signed in: no credentials read, and a request rate per
    client address (the ``auth`` throttle)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [AddressThrottle]
    throttle_scope = "auth"


class SignupApi(_AnonymousApi):
    """Self sign-up: a company user with no company yet (api.md: Accounts)."""

    class SignupInputSerializer(serializers.Serializer):
        username = StrictCharField(max_length=150)
        email = serializers.EmailField()
        password = StrictCharField(write_only=True, style={"input_type": "password"})

    class SignupOutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        username = serializers.CharField()
        email = serializers.EmailField()
        role = serializers.CharField()

    @extend_schema(request=SignupInputSerializer, responses={201: SignupOutputSerializer})
    def post(self, request: Request) -> Response:
        data = self.SignupInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_signup(**data.validated_data)
        return Response(self.SignupOutputSerializer(user).data, status=status.HTTP_201_CREATED)


class TokenOutputSerializer(serializers.Serializer):
    """A token as its owner sees it in the list: never the token itself, which only its
    creation answers once."""

    id = serializers.CharField(source="token_key", help_text="First characters of the token.")
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField()


class TokenApi(_AnonymousApi):
    """Exchange a username and password (and, for staff, a TOTP code) for a token to send as
    ``Authorization: Token``. It is stored hashed and expires (``API_TOKEN_TTL_DAYS``)."""

    class TokenInputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(
            max_length=4096, write_only=True, style={"input_type": "password"}
        )
        otp_token = serializers.CharField(
            required=False,
            max_length=8,
            help_text="PSEB staff and park managers: the 6-digit code of their authenticator.",
        )

    @extend_schema(
        request=TokenInputSerializer,
        responses={
            200: inline_serializer(
                "Token",
                {
                    "token": serializers.CharField(),
                    "id": serializers.CharField(),
                    "expiry": serializers.DateTimeField(),
                },
            )
        },
    )
    def post(self, request: Request) -> Response:
        data = self.TokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # The Django request: django-axes counts failures and flags lock-outs on it.
        user = authenticate(
            request._request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                {"non_field_errors": ["Unable to sign in with these credentials."]}
            )
        if problem := second_factor_problem(user, data.validated_data.get("otp_token", "")):
            raise serializers.ValidationError({"otp_token": [problem]})
        instance, token = api_token_create(user=user)
        return Response({"token": token, "id": instance.token_key, "expiry": instance.expiry})


class TokenListApi(APIView):
    """The caller's own API tokens that have not expired."""

    @extend_schema(responses={200: TokenOutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        tokens = AuthToken.objects.filter(user=request.user, expiry__gt=timezone.now())
        return Response(TokenOutputSerializer(tokens.order_by("-created"), many=True).data)


class TokenRevokeApi(APIView):
    """Revoke one of the caller's tokens by its id (as listed)."""

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, token_key: str) -> Response:
        # IsAuthenticated (the default permission): a signed-in user, never anonymous.
        api_token_revoke(user=cast(User, request.user), token_key=token_key)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutApi(APIView):
    """Revoke the token this request was made with; it answers 401 from then on."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        if isinstance(request.auth, AuthToken):
            # IsAuthenticated (the default permission): a signed-in user, never anonymous.
            api_token_revoke(user=cast(User, request.user), token_key=request.auth.token_key)
        return Response(status=status.HTTP_204_NO_CONTENT)
